--[[
  A slice of the board by rank, with each member's metadata, in one consistent read.

  KEYS[1]  the board's sorted set
  KEYS[2]  the board's member-metadata hash

  ARGV[1]  first rank (0-based)
  ARGV[2]  last rank (0-based, inclusive)
  ARGV[3]  order: 'desc' | 'asc'

  Returns { { member, stored score, ... }, { metadata or false, ... } }, or just
  { { member, stored score, ... } } when no member has metadata (the hash does not exist).
]]
local items
if ARGV[3] == 'desc' then
  items = redis.call('ZREVRANGE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES')
else
  items = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES')
end
if #items == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return { items } end
local names = {}
for i = 1, #items, 2 do names[#names + 1] = items[i] end
return { items, redis.call('HMGET', KEYS[2], unpack(names)) }

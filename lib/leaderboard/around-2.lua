--[[
  The window of 2 * radius + 1 members centred on a member; at the top or bottom edge the window
  is filled from the other side, so it holds min(2 * radius + 1, board size) members.

  KEYS[1]  the board's sorted set
  KEYS[2]  the board's member-metadata hash

  ARGV[1]  member
  ARGV[2]  radius
  ARGV[3]  order: 'desc' | 'asc'
  ARGV[4]  '1' = return metadata

  Returns false when the member is absent, else
    { first rank (0-based), { member, stored score, member, stored score, ... }, { metadata... } }
]]
local key, member, radius = KEYS[1], ARGV[1], tonumber(ARGV[2])
local desc = ARGV[3] == 'desc'
local r
if desc then r = redis.call('ZREVRANK', key, member) else r = redis.call('ZRANK', key, member) end
if not r then return false end
local card = redis.call('ZCARD', key)
local first = r - radius
local last = r + radius
if first < 0 then last = last - first; first = 0 end
if last > card - 1 then
  first = math.max(0, first - (last - (card - 1)))
  last = card - 1
end
local items
if desc then
  items = redis.call('ZREVRANGE', key, first, last, 'WITHSCORES')
else
  items = redis.call('ZRANGE', key, first, last, 'WITHSCORES')
end
local metas = {}
if ARGV[4] == '1' and #items > 0 then
  local names = {}
  for i = 1, #items, 2 do names[#names + 1] = items[i] end
  metas = redis.call('HMGET', KEYS[2], unpack(names))
end
return { first, items, metas }

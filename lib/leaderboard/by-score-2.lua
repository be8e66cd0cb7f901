--[[
  The members whose stored score lies between ARGV[1] and ARGV[2] (inclusive), in board order, after skipping
  `offset` of them, with the rank of the first and (optionally) metadata, in one consistent read.

  KEYS[1]  the board's sorted set
  KEYS[2]  the board's member-metadata hash

  ARGV[1]  lowest stored score (a number or '-inf')
  ARGV[2]  highest stored score (a number or '+inf')
  ARGV[3]  offset
  ARGV[4]  limit
  ARGV[5]  order: 'desc' | 'asc'
  ARGV[6]  '1' = return metadata

  Returns { first rank (0-based), { member, stored score, ... }, { metadata or false, ... } }.
]]
local key, lo, hi, offset, limit = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local before, items
if ARGV[5] == 'desc' then
  before = redis.call('ZCOUNT', key, '(' .. hi, '+inf')
  items = redis.call('ZREVRANGEBYSCORE', key, hi, lo, 'WITHSCORES', 'LIMIT', offset, limit)
else
  before = redis.call('ZCOUNT', key, '-inf', '(' .. lo)
  items = redis.call('ZRANGEBYSCORE', key, lo, hi, 'WITHSCORES', 'LIMIT', offset, limit)
end
local metas = {}
if ARGV[6] == '1' and #items > 0 then
  local names = {}
  for i = 1, #items, 2 do names[#names + 1] = items[i] end
  metas = redis.call('HMGET', KEYS[2], unpack(names))
end
return { before + offset, items, metas }

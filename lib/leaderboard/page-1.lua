--[[
  The page after a cursor. The cursor is the last entry of the previous page (member and stored
  score): the page starts right after that member if it still holds that score, otherwise after
  every member whose stored score is better than the cursor's, so members inserted above the
  cursor do not shift the next page (they would with an offset).

  KEYS[1]  the board's sorted set

  ARGV[1]  cursor member
  ARGV[2]  cursor stored score
  ARGV[3]  page size
  ARGV[4]  order: 'desc' | 'asc'

  Returns { first rank (0-based), { member, stored score, ... } }
]]
local key, member, score, size = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3])
local desc = ARGV[4] == 'desc'
local start
local current = redis.call('ZSCORE', key, member)
if current and tonumber(current) == tonumber(score) then
  if desc then start = redis.call('ZREVRANK', key, member) else start = redis.call('ZRANK', key, member) end
  start = start + 1
elseif desc then
  start = redis.call('ZCOUNT', key, score, '+inf')
else
  start = redis.call('ZCOUNT', key, '-inf', score)
end
local items
if desc then
  items = redis.call('ZREVRANGE', key, start, start + size - 1, 'WITHSCORES')
else
  items = redis.call('ZRANGE', key, start, start + size - 1, 'WITHSCORES')
end
return { start, items }

--[[
  One page of a state's set after a cursor, in O(log N + page) whatever the page's depth: the
  cursor is the last job shown (its id and score), found again by rank. Read-only; a script so the
  rank and the range are read from the same version of the set.
  KEYS[1] the state's sorted set (waiting, delayed, active, completed or failed)
  ARGV[1] cursor id ('' for the first page)   ARGV[2] cursor score   ARGV[3] page size n
  ARGV[4] '1' newest first (descending scores), else ascending
  Returns up to n + 1 ids and scores, flat (id1, score1, ...): the extra one tells a next page exists.
  A cursor job that left the set meanwhile is resumed from its score: jobs sharing that score may
  show again, none is skipped.
  Built and decoded by lib/queue/calls.ts: page().
]]
local rev = ARGV[4] == '1'
local n = tonumber(ARGV[3])
local start = 0
if ARGV[1] ~= '' then
  local r
  if rev then r = redis.call('ZREVRANK', KEYS[1], ARGV[1]) else r = redis.call('ZRANK', KEYS[1], ARGV[1]) end
  if r then
    start = r + 1
  elseif rev then
    start = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[2], '+inf')
  else
    start = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[2])
  end
end
if rev then return redis.call('ZREVRANGE', KEYS[1], start, start + n, 'WITHSCORES') end
return redis.call('ZRANGE', KEYS[1], start, start + n, 'WITHSCORES')

--[[
  One page of a state's set after a cursor, in O(log N + page) whatever the page's depth: the
  cursor is the last job shown (its id and score), found again by rank. Read-only; a script so the
  rank and the range are read from the same version of the set.
  KEYS[1] the state's sorted set (waiting, delayed, active, completed or failed)
  ARGV[1] cursor id ('' for the first page)   ARGV[2] cursor score   ARGV[3] page size n
  ARGV[4] '1' newest first (descending scores), else ascending
  ARGV[5] for waiting: the key prefix ('' otherwise). Waiting is the priority-0 list
          `<prefix>wait` (_waiting.lua), then the sorted set; a list job's score is -(1 + its
          index), found again by LINDEX, else by LPOS within that many entries (O(index) like
          the LRANGE itself); not found (taken, or moved), the list section restarts from its
          head: jobs may show again, none is skipped.
  Returns up to n + 1 ids and scores, flat (id1, score1, ...): the extra one tells a next page exists.
  A cursor job that left the set meanwhile is resumed from its score: jobs sharing that score may
  show again, none is skipped.
  Built and decoded by lib/queue/calls.ts: page().
]]
--@include "_waiting.lua"
local rev = ARGV[4] == '1'
local n = tonumber(ARGV[3])
local cursorScore = tonumber(ARGV[2])
local out = {}
local inSet = ARGV[1] ~= ''

if ARGV[5] ~= '' and (ARGV[1] == '' or cursorScore < 0) then
  local list = waitList(ARGV[5])
  local start = 0
  if ARGV[1] ~= '' then
    local idx = -cursorScore - 1
    if redis.call('LINDEX', list, idx) == ARGV[1] then
      start = idx + 1
    else
      local pos = redis.call('LPOS', list, ARGV[1], 'MAXLEN', idx + 1)
      if pos then start = pos + 1 end
    end
  end
  local ids = redis.call('LRANGE', list, start, start + n)
  for i, id in ipairs(ids) do
    out[#out + 1] = id
    out[#out + 1] = -(start + i)
  end
  if #ids > n then return out end
  -- The sorted set follows from its first member.
  n = n - #ids
  inSet = false
end

local start = 0
if inSet then
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
local range
if rev then range = redis.call('ZREVRANGE', KEYS[1], start, start + n, 'WITHSCORES') else range = redis.call('ZRANGE', KEYS[1], start, start + n, 'WITHSCORES') end
for _, v in ipairs(range) do out[#out + 1] = v end
return out

--[[
  Everything about one member in one consistent read: score, ordinal rank, the counts that give
  competition rank and percentile, the dense rank (optional), and metadata (optional).

  KEYS[1]  the board's sorted set
  KEYS[2]  the board's member-metadata hash

  ARGV[1]  member
  ARGV[2]  order: 'desc' | 'asc'
  ARGV[3]  M: tie-break multiplier, 1 without tie-breaking
  ARGV[4]  '1' = return metadata
  ARGV[5]  dense rank: 0 = do not compute, else the most distinct better scores to walk

  Returns false when the member is absent, else
    { stored score (string), ordinal rank (0-based), members with a better user score,
      members with an equal user score (itself included), board size, metadata or false,
      dense rank (1-based; 0 = not computed; -1 = more than ARGV[5] distinct better scores) }
]]
local key, member, desc = KEYS[1], ARGV[1], ARGV[2] == 'desc'
local M = tonumber(ARGV[3])
local s = redis.call('ZSCORE', key, member)
if not s then return false end
local raw = tonumber(s)
local fmt = function (x) return string.format('%.17g', x) end
-- The range of stored values that share raw's user score.
local function bounds (r)
  if M > 1 then
    local l = math.floor(r / M) * M
    return l, l + M - 1
  end
  return r, r
end

local lo, hi = bounds(raw)
local rank, better
if desc then
  rank = redis.call('ZREVRANK', key, member)
  better = redis.call('ZCOUNT', key, '(' .. fmt(hi), '+inf')
else
  rank = redis.call('ZRANK', key, member)
  better = redis.call('ZCOUNT', key, '-inf', '(' .. fmt(lo))
end
local equal = redis.call('ZCOUNT', key, fmt(lo), fmt(hi))
local card = redis.call('ZCARD', key)
local meta = false
if ARGV[4] == '1' then meta = redis.call('HGET', KEYS[2], member) end

local dense = 0
local limit = tonumber(ARGV[5])
if limit > 0 then
  -- Walk the distinct better user scores, one O(log N) jump each.
  dense = 1
  local l, h = lo, hi
  while dense - 1 < better do
    local nxt
    if desc then
      nxt = redis.call('ZRANGEBYSCORE', key, '(' .. fmt(h), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    else
      nxt = redis.call('ZREVRANGEBYSCORE', key, '(' .. fmt(l), '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
    end
    if #nxt == 0 then break end
    if dense > limit then dense = -1; break end
    dense = dense + 1
    l, h = bounds(tonumber(nxt[2]))
  end
end
return { s, rank, better, equal, card, meta, dense }

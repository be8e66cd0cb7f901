--[[
  Everything about one member in one consistent read: score, ordinal rank, the counts that give
  competition rank and percentile, the start of the dense rank (optional), and metadata (optional).

  Dense rank walks the distinct better user scores within a work budget (_dense.lua): when the
  walk does not finish here, the caller continues it with dense-1.lua from the returned bucket.

  KEYS[1]  the board's sorted set
  KEYS[2]  the board's member-metadata hash

  ARGV[1]  member
  ARGV[2]  order: 'desc' | 'asc'
  ARGV[3]  M: tie-break multiplier, 1 without tie-breaking
  ARGV[4]  '1' = return metadata
  ARGV[5]  dense rank: 0 = do not compute, else the most distinct better scores worth counting
           (denseRankLimit + 1: one more means the limit is exceeded)
  ARGV[6]  dense rank: work budget of this call (see _dense.lua)

  Returns false when the member is absent, else
    { stored score (string), ordinal rank (0-based), members with a better user score,
      members with an equal user score (itself included), board size, metadata or false,
      distinct better user scores counted (0 when not computed),
      false when that count is final, else the lowest stored value of the last bucket counted
      (the member's own when none was): the walk goes on from there }
]]
--@include "_dense.lua"
local key, member, desc = KEYS[1], ARGV[1], ARGV[2] == 'desc'
local M = tonumber(ARGV[3])
local s = redis.call('ZSCORE', key, member)
if not s then return false end
local raw = tonumber(s)

local lo, hi = bounds(raw, M)
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

local found, resume = 0, false
-- There are at most `better` distinct better scores: the walk needs no more.
local need = math.min(tonumber(ARGV[5]), better)
if need > 0 then
  found, resume = dense_walk(key, desc, M, lo, hi, need, tonumber(ARGV[6]))
  if found == need then resume = false end
end
return { s, rank, better, equal, card, meta, found, resume }

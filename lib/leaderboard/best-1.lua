--[[
  Keep-best submit of one member on a plain board (no tie-break packing, trimming, expiry or
  metadata): one ZADD GT (desc) or LT (asc), and the kept score when it did not change.

  KEYS[1]  the board's sorted set

  ARGV[1]  'GT' (desc: higher is better) | 'LT' (asc: lower is better)
  ARGV[2]  score
  ARGV[3]  member

  Returns: 1 when the stored score changed (it is now ARGV[2]); else the stored score (string).
]]
if redis.call('ZADD', KEYS[1], ARGV[1], 'CH', ARGV[2], ARGV[3]) == 1 then return 1 end
return redis.call('ZSCORE', KEYS[1], ARGV[3])

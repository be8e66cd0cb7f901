--[[
  Submits scores for one or more members atomically, applying the board's update policy.

  KEYS[1]  the board's sorted set (current period)
  KEYS[2]  the board's member-metadata hash

  ARGV[1]  update policy: 'replace' | 'best' | 'increment'
  ARGV[2]  order: 'desc' (higher is better) | 'asc' (lower is better)
  ARGV[3]  M: tie-break multiplier (a power of two), or 1 without tie-breaking
  ARGV[4]  lowest allowed user score
  ARGV[5]  highest allowed user score
  ARGV[6]  tie-break epoch (ms since the Unix epoch)
  ARGV[7]  tie-break resolution (ms per tick)
  ARGV[8]  TTL of the board in ms (periodic boards), 0 = none
  ARGV[9]  maxMembers (top-N trimming), 0 = none
  ARGV[10] TTL of the metadata hash in ms, 0 = none
  ARGV[11] '1' = delete the metadata of trimmed members
  ARGV[12..] triples: member, score (or increment), encoded metadata ('' = leave unchanged)

  Stored score: without tie-breaking, the user score. With tie-breaking (M > 1),
    (score - min) * M + tie, tie = ticks since the epoch (asc) or M - 1 - ticks (desc),
  so among equal user scores the earlier one ranks higher, and every value is an exact integer
  below 2^53 (the caller sized M for that).

  Returns: a flat array, per triple: stored score (string, %.17g), 1 if it changed else 0;
  or { -1, i }: the result for triple i is outside [min, max] (nothing was written).
]]
--@include "_submit.lua"
return submit_scores(KEYS[1], KEYS[2], 12)

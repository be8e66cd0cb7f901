--[[
  submit-2.lua plus the player index, in one atomic step (standalone Redis): the board and the
  index of every member written change together or not at all.

  KEYS[1]     the board's sorted set
  KEYS[2]     the board's member-metadata hash
  KEYS[3..]   the player index of each triple's member, in triple order

  ARGV[1..11] as submit-2.lua
  ARGV[12]    the board's index entry (JSON: name, period, period end, order, M, minScore, metadata key)
  ARGV[13]    the board key's expiry, ms since the Unix epoch (0 = none)
  ARGV[14..]  triples: member, score (or increment), encoded metadata ('' = leave unchanged)

  Returns what submit-2.lua returns (on { -1, i } nothing was written, the index neither).
]]
--@include "_submit.lua"
--@include "_index.lua"
local out = submit_scores(KEYS[1], KEYS[2], 14)
if out[1] == -1 then return out end
local expireAt = tonumber(ARGV[13])
for j = 3, #KEYS do index_add(KEYS[j], KEYS[1], ARGV[12], expireAt) end
return out

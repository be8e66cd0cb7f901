--[[
  Continues a dense-rank walk that member-2.lua began and did not finish within its work budget:
  counts further distinct user scores better than a bucket, within this call's budget
  (_dense.lua). Each call is atomic on its own; a walk of several calls is not one snapshot.

  KEYS[1]  the board's sorted set

  ARGV[1]  lowest stored value of the last bucket counted (as returned by the previous call)
  ARGV[2]  order: 'desc' | 'asc'
  ARGV[3]  M: tie-break multiplier, 1 without tie-breaking
  ARGV[4]  the most further distinct better scores worth counting
  ARGV[5]  work budget of this call

  Returns { distinct better user scores counted by this call,
            false when the board has no better score beyond them, else the lowest stored value of
            the last bucket counted: the next call goes on from there }
]]
--@include "_dense.lua"
local l, h = bounds(tonumber(ARGV[1]), tonumber(ARGV[3]))
local found, resume = dense_walk(KEYS[1], ARGV[2] == 'desc', tonumber(ARGV[3]), l, h, tonumber(ARGV[4]), tonumber(ARGV[5]))
return { found, resume }

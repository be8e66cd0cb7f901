--[[
  submit-2.lua behind the board's erase fence: the second step of a write on Redis Cluster, where
  the board and the player index live in different slots. The index entry was written first
  (index-add-1.lua, returning its generation); if an erase of the member read the index at or
  after that generation, the erase may already have passed this board, so the write is refused
  rather than leaving a score that no index lists.

  KEYS[1]  the board's sorted set
  KEYS[2]  the board's member-metadata hash
  KEYS[3]  the board's erase fence (hash: member -> generation at which an erase read its index)

  ARGV[1..11]          as submit-2.lua
  ARGV[12]             n, the number of triples
  ARGV[13..12+n]       the index generation of each triple's member
  ARGV[13+n..]         triples: member, score (or increment), encoded metadata

  Returns what submit-2.lua returns, or { -2, i }: member i was erased while this write was in
  flight (nothing was written).
]]
--@include "_submit.lua"
local n = tonumber(ARGV[12])
for j = 1, n do
  local fence = redis.call('HGET', KEYS[3], ARGV[13 + n + (j - 1) * 3])
  if fence and tonumber(fence) >= tonumber(ARGV[12 + j]) then return { -2, j } end
end
return submit_scores(KEYS[1], KEYS[2], 13 + n)

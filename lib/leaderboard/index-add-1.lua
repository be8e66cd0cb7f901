--[[
  Lists a board in a member's player index: the first step of a write on Redis Cluster, before
  the board itself changes (submit-fenced-3.lua), so the index always lists at least every board
  the member is on.

  KEYS[1]  the member's player index (see _index.lua)

  ARGV[1]  the board key
  ARGV[2]  the board's index entry (JSON)
  ARGV[3]  the board key's expiry, ms since the Unix epoch (0 = none)

  Returns the entry's generation (integer, Redis TIME in µs, strictly increasing per index).
]]
--@include "_index.lua"
return index_add(KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]))

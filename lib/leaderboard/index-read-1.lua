--[[
  The first step of an erase: every entry of a member's player index, and a new generation G.
  Every entry written before has a generation below G, every one written after a generation above.

  KEYS[1]  the member's player index (see _index.lua)

  ARGV     none

  Returns { G, { field, value, ... } }, or { 0, {} } when the index does not exist (it is not
  created).
]]
--@include "_index.lua"
if redis.call('EXISTS', KEYS[1]) == 0 then return { 0, {} } end
local gen = index_gen(KEYS[1])
return { gen, redis.call('HGETALL', KEYS[1]) }

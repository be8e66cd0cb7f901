--[[
  A member's stored score and ordinal rank on one board, read together (the player view).

  KEYS[1]  the board's sorted set

  ARGV[1]  member
  ARGV[2]  order: 'desc' | 'asc'

  Returns false when the member is absent, else { stored score (string), rank (0-based) }.
]]
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return false end
local r
if ARGV[2] == 'desc' then r = redis.call('ZREVRANK', KEYS[1], ARGV[1]) else r = redis.call('ZRANK', KEYS[1], ARGV[1]) end
return { s, r }

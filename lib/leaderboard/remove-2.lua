--[[
  Removes a member from the board and, optionally, its metadata.

  KEYS[1]  the board's sorted set
  KEYS[2]  the board's member-metadata hash

  ARGV[1]  member
  ARGV[2]  '1' = delete the metadata too

  Returns 1 if the member was on the board, else 0.
]]
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == '1' then redis.call('HDEL', KEYS[2], ARGV[1]) end
return removed

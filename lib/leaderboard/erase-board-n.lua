--[[
  The middle step of an erase, once per board: removes the member from the board's sorted sets
  (periods and roll-ups) and its metadata, and raises the board's erase fence to the generation at
  which the erase read the member's index, so a Cluster write indexed before that generation that
  reaches the board later is refused (submit-fenced-3.lua).

  KEYS[1]    the board's erase fence (hash: member -> generation; expires after ARGV[3])
  KEYS[2]    the board's member-metadata hash
  KEYS[3..]  the board's sorted sets to remove the member from

  ARGV[1]  member
  ARGV[2]  G, the erase's generation (0 = no fence: nothing was read from an index)
  ARGV[3]  the fence's TTL in ms

  Returns the number of sorted sets the member was removed from.
]]
local member, g = ARGV[1], tonumber(ARGV[2])
local removed = 0
for j = 3, #KEYS do removed = removed + redis.call('ZREM', KEYS[j], member) end
redis.call('HDEL', KEYS[2], member)
if g > 0 then
  local fence = tonumber(redis.call('HGET', KEYS[1], member) or '0')
  if g > fence then redis.call('HSET', KEYS[1], member, string.format('%.0f', g)) end
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return removed

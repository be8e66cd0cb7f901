--[[
  Removes a schedule (its spec and its next tick together). Jobs it already created stay.
  KEYS[1] schedules hash   KEYS[2] next-tick zset
  ARGV[1] schedule id
  Returns 1 if the schedule existed, else 0.
  Built and decoded by lib/queue/calls.ts (schedules).
]]
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('HDEL', KEYS[1], ARGV[1])

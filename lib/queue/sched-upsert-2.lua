--[[
  Creates or replaces a schedule. Idempotent: every instance of an app may register the same
  schedule at startup; an unchanged schedule keeps its next tick (no tick is repeated or skipped),
  a changed one starts again from its first tick after now.
  KEYS[1] schedules hash (id -> spec JSON)   KEYS[2] next-tick zset (id -> tick, ms)
  ARGV[1] schedule id   ARGV[2] spec JSON   ARGV[3] first tick after now (ms, Redis time)
  Returns { next tick (string), 1 if the schedule was created or changed else 0 }.
  Built and decoded by lib/queue/calls.ts (schedules).
]]
local next = redis.call('ZSCORE', KEYS[2], ARGV[1])
if next and redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return { next, 0 } end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return { ARGV[3], 1 }

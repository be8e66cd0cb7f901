--[[
  Pauses or resumes taking jobs (jobs stay in waiting; active jobs finish).
  KEYS[1] meta   KEYS[2] marker   KEYS[3] events
  ARGV[1] 1 pause, 0 resume   ARGV[2] events MAXLEN
  Returns 1.
  Built and decoded by lib/queue/calls.ts: pause().
]]
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[1], 'paused', '1')
else
  redis.call('HDEL', KEYS[1], 'paused')
  redis.call('ZADD', KEYS[2], 0, 'w')
end
if tonumber(ARGV[2]) > 0 then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], '*', 'ev', ARGV[1] == '1' and 'paused' or 'resumed')
end
return 1

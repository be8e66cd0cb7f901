--[[
  Records progress of a job this worker owns.
  KEYS[1] active   KEYS[2] events
  ARGV[1] key prefix   ARGV[2] events MAXLEN   ARGV[3] id   ARGV[4] token   ARGV[5] progress (JSON)
  Returns 1, or 0 when the worker no longer owns the job.
  Built and decoded by lib/queue/calls.ts: progress().
]]
local jk = ARGV[1] .. 'job:' .. ARGV[3]
if redis.call('HGET', jk, 'tok') ~= ARGV[4] or not redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 0 end
redis.call('HSET', jk, 'prog', ARGV[5])
if tonumber(ARGV[2]) > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'ev', 'progress', 'id', ARGV[3], 'data', ARGV[5])
end
return 1

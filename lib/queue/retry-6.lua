--[[
  Retries a failed (or completed) job: back to waiting with a fresh attempt budget.
  KEYS[1] failed   KEYS[2] completed   KEYS[3] waiting (prioritized, _waiting.lua)   KEYS[4] meta   KEYS[5] marker   KEYS[6] events
  ARGV[1] key prefix   ARGV[2] events MAXLEN   ARGV[3] id
  Returns 1 ok, -1 no such job, -2 not in a retryable state (waiting, delayed or active).
  Built and decoded by lib/queue/calls.ts: retry().
]]
--@include "_waiting.lua"
local id = ARGV[3]
local jk = ARGV[1] .. 'job:' .. id
local v = redis.call('HMGET', jk, 'st', 'prio')
if not v[1] then return -1 end
if v[1] ~= 'failed' and v[1] ~= 'completed' then return -2 end
redis.call('ZREM', KEYS[1], id)
redis.call('ZREM', KEYS[2], id)
local sc = enqueue(KEYS[3], KEYS[4], ARGV[1], id, tonumber(v[2] or '0'))
if sc then redis.call('HSET', jk, 'sc', sc) end
redis.call('HSET', jk, 'st', 'waiting', 'made', 0, 'stl', 0)
redis.call('HDEL', jk, 'fOn', 'err', 'stack', 'ret')
redis.call('ZADD', KEYS[5], 0, 'w')
if tonumber(ARGV[2]) > 0 then
  redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[2], '*', 'ev', 'waiting', 'id', id)
end
return 1

--[[
  Promotes a delayed job: makes it due now, queued behind the jobs already waiting (as the take
  script does for a delayed job that became due), in one step so no worker sees it half-moved.
  KEYS[1] delayed   KEYS[2] waiting (prioritized, _waiting.lua)   KEYS[3] meta   KEYS[4] marker   KEYS[5] events
  ARGV[1] key prefix   ARGV[2] events MAXLEN   ARGV[3] id
  Returns 1 promoted, -1 no such job, -2 the job is not delayed.
  Built and decoded by lib/queue/calls.ts: promote().
]]
--@include "_waiting.lua"
local id = ARGV[3]
local jk = ARGV[1] .. 'job:' .. id
local v = redis.call('HMGET', jk, 'st', 'prio')
if not v[1] then return -1 end
if v[1] ~= 'delayed' or redis.call('ZREM', KEYS[1], id) == 0 then return -2 end
local sc = enqueue(KEYS[2], KEYS[3], ARGV[1], id, tonumber(v[2] or '0'))
if sc then redis.call('HSET', jk, 'st', 'waiting', 'sc', sc) else redis.call('HSET', jk, 'st', 'waiting') end
redis.call('HDEL', jk, 'due')
redis.call('ZADD', KEYS[4], 0, 'w')
if tonumber(ARGV[2]) > 0 then
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[2], '*', 'ev', 'waiting', 'id', id)
end
return 1

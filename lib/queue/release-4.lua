--[[
  Gives leases back (graceful close): owned jobs return to waiting at their old position at once.
  KEYS[1] active   KEYS[2] waiting (prioritized, _waiting.lua)   KEYS[3] marker   KEYS[4] events
  ARGV[1] key prefix   ARGV[2] events MAXLEN   ARGV[3] n, then per job: id, token
  Returns the number of jobs released.
  Built and decoded by lib/queue/calls.ts: release().
]]
--@include "_waiting.lua"
local released = 0
for i = 0, tonumber(ARGV[3]) - 1 do
  local id = ARGV[4 + i * 2]
  local jk = ARGV[1] .. 'job:' .. id
  if redis.call('HGET', jk, 'tok') == ARGV[5 + i * 2] and redis.call('ZREM', KEYS[1], id) == 1 then
    requeue(KEYS[2], ARGV[1], id, redis.call('HGET', jk, 'sc'))
    redis.call('HSET', jk, 'st', 'waiting', 'tok', '')
    if tonumber(ARGV[2]) > 0 then
      redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[2], '*', 'ev', 'released', 'id', id)
    end
    released = released + 1
  end
end
if released > 0 then redis.call('ZADD', KEYS[3], 0, 'w') end
return released

--[[
  Removes a job that is not active (an active job belongs to a worker: wait for it, or let it fail).
  KEYS[1] waiting (prioritized, _waiting.lua)   KEYS[2] delayed   KEYS[3] active   KEYS[4] completed   KEYS[5] failed   KEYS[6] events
  ARGV[1] key prefix   ARGV[2] events MAXLEN   ARGV[3] id
  Returns 1 removed, -1 no such job, -2 the job is active.
  Built and decoded by lib/queue/calls.ts: remove().
]]
--@include "_waiting.lua"
local id = ARGV[3]
local jk = ARGV[1] .. 'job:' .. id
local st = redis.call('HGET', jk, 'st')
if not st then return -1 end
if st == 'active' then return -2 end
-- A priority-0 waiting job is in the list: LREM walks it from the head (O(position)).
if st == 'waiting' then redis.call('LREM', waitList(ARGV[1]), 1, id) end
for k = 1, 5 do
  if k ~= 3 then redis.call('ZREM', KEYS[k], id) end
end
redis.call('DEL', jk)
if tonumber(ARGV[2]) > 0 then
  redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[2], '*', 'ev', 'removed', 'id', id)
end
return 1

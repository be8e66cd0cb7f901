--[[
  Heartbeat: renews the leases of every job a worker holds, in one call.
  KEYS[1] active
  ARGV[1] key prefix   ARGV[2] lease ms   ARGV[3] n, then per job: id, token
  Returns the ids whose lease is lost (token changed or no longer active).
  Built and decoded by lib/queue/calls.ts: extend().
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local deadline = now + tonumber(ARGV[2])
local lost = {}
for i = 0, tonumber(ARGV[3]) - 1 do
  local id = ARGV[4 + i * 2]
  if redis.call('HGET', ARGV[1] .. 'job:' .. id, 'tok') == ARGV[5 + i * 2] and redis.call('ZSCORE', KEYS[1], id) then
    redis.call('ZADD', KEYS[1], deadline, id)
  else
    lost[#lost + 1] = id
  end
end
return lost

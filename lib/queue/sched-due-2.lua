--[[
  The schedules whose next tick is due by Redis time, with their specs: the scheduler computes the
  jobs of each (cron or interval, missed-tick policy) and claims the tick with sched-tick-8.lua.
  KEYS[1] schedules hash   KEYS[2] next-tick zset
  ARGV[1] at most this many schedules
  Returns { now (ms, Redis time), { id, due tick (string), spec JSON, ... } }.
  Built and decoded by lib/queue/calls.ts (schedules).
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[1]))
local out = {}
for i = 1, #due, 2 do
  out[#out + 1] = due[i]
  out[#out + 1] = due[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[1], due[i]) or ''
end
return { now, out }

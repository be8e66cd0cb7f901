--[[
  Every schedule with its next tick, in one consistent read.
  KEYS[1] schedules hash   KEYS[2] next-tick zset
  ARGV[1] '' for every schedule, else the one schedule id to read
  Returns a flat array: id, spec JSON, next tick (string), per schedule.
  Built and decoded by lib/queue/calls.ts (schedules).
]]
local out = {}
local function one (id, spec)
  out[#out + 1] = id
  out[#out + 1] = spec
  out[#out + 1] = redis.call('ZSCORE', KEYS[2], id) or '0'
end
if ARGV[1] ~= '' then
  local spec = redis.call('HGET', KEYS[1], ARGV[1])
  if spec then one(ARGV[1], spec) end
  return out
end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do one(all[i], all[i + 1]) end
return out

--[[
  Removes a batch of waiting jobs (and delayed ones when asked); called until it returns 0.
  KEYS[1] waiting (prioritized; the priority-0 list `<prefix>wait` too, _waiting.lua)   KEYS[2] delayed
  ARGV[1] key prefix   ARGV[2] 1: delayed too   ARGV[3] batch size
  Returns the number of jobs removed by this call.
  Built and decoded by lib/queue/calls.ts: drain().
]]
--@include "_waiting.lua"
local batch = tonumber(ARGV[3])
local list = waitList(ARGV[1])
local ids = redis.call('LRANGE', list, 0, batch - 1)
for _, id in ipairs(ids) do redis.call('DEL', ARGV[1] .. 'job:' .. id) end
if #ids > 0 then redis.call('LTRIM', list, #ids, -1) end
local removed = #ids
local sets = { KEYS[1] }
if ARGV[2] == '1' then sets[2] = KEYS[2] end
for _, key in ipairs(sets) do
  ids = redis.call('ZRANGE', key, 0, batch - 1)
  for _, id in ipairs(ids) do redis.call('DEL', ARGV[1] .. 'job:' .. id) end
  if #ids > 0 then redis.call('ZREM', key, unpack(ids)) end
  removed = removed + #ids
end
return removed

--[[
  Removes a batch of waiting jobs (and delayed ones when asked); called until it returns 0.
  KEYS[1] waiting   KEYS[2] delayed
  ARGV[1] key prefix   ARGV[2] 1: delayed too   ARGV[3] batch size
  Returns the number of jobs removed by this call.
  Built and decoded by lib/queue/calls.ts: drain().
]]
local removed = 0
local sets = { KEYS[1] }
if ARGV[2] == '1' then sets[2] = KEYS[2] end
for _, key in ipairs(sets) do
  local ids = redis.call('ZRANGE', key, 0, tonumber(ARGV[3]) - 1)
  for _, id in ipairs(ids) do redis.call('DEL', ARGV[1] .. 'job:' .. id) end
  if #ids > 0 then redis.call('ZREM', key, unpack(ids)) end
  removed = removed + #ids
end
return removed

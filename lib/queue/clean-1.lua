--[[
  Removes up to `limit` jobs of one state older than `age` ms.
  KEYS[1] the state's sorted set (completed / failed: scored by finish time; waiting / delayed:
          checked against the job's creation time)
  ARGV[1] key prefix   ARGV[2] age ms   ARGV[3] limit   ARGV[4] 'finished' or 'created'
  Returns the removed ids.
  Built and decoded by lib/queue/calls.ts: clean().
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cutoff = now - tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local removed = {}
if ARGV[4] == 'finished' then
  removed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'LIMIT', 0, limit)
else
  -- Creation time is not the score: scan in order, examining at most 10 * limit members.
  local members = redis.call('ZRANGE', KEYS[1], 0, limit * 10 - 1)
  for _, id in ipairs(members) do
    if #removed >= limit then break end
    local ts = tonumber(redis.call('HGET', ARGV[1] .. 'job:' .. id, 'ts') or '0')
    if ts <= cutoff then removed[#removed + 1] = id end
  end
end
for _, id in ipairs(removed) do redis.call('DEL', ARGV[1] .. 'job:' .. id) end
if #removed > 0 then redis.call('ZREM', KEYS[1], unpack(removed)) end
return removed

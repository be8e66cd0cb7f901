--[[
  Removes up to `limit` jobs of one state older than `age` ms.
  KEYS[1] the state's sorted set (completed / failed: scored by finish time; waiting / delayed:
          checked against the job's creation time)
  ARGV[1] key prefix   ARGV[2] age ms   ARGV[3] limit   ARGV[4] 'finished' or 'created'
  ARGV[5] '1' for waiting: the priority-0 list `<prefix>wait` (_waiting.lua) is cleaned first
  Returns the removed ids.
  Built and decoded by lib/queue/calls.ts: clean().
]]
--@include "_waiting.lua"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prefix = ARGV[1]
local cutoff = now - tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local removed = {}
local function old (id)
  return tonumber(redis.call('HGET', prefix .. 'job:' .. id, 'ts') or '0') <= cutoff
end

if ARGV[5] == '1' then
  -- Creation time is not the order: examine at most 10 * limit jobs from the head, then put the
  -- ones kept back in front, in their order (one LTRIM, a few LPUSH: O(examined), no LREM each).
  local list = waitList(prefix)
  local members = redis.call('LRANGE', list, 0, limit * 10 - 1)
  local keep = {}
  for _, id in ipairs(members) do
    if #removed < limit and old(id) then removed[#removed + 1] = id else keep[#keep + 1] = id end
  end
  if #removed > 0 then
    redis.call('LTRIM', list, #members, -1)
    local i = #keep
    while i >= 1 do
      local chunk = {}
      for j = i, math.max(1, i - 999), -1 do chunk[#chunk + 1] = keep[j] end
      redis.call('LPUSH', list, unpack(chunk))
      i = i - 1000
    end
    for _, id in ipairs(removed) do redis.call('DEL', prefix .. 'job:' .. id) end
  end
end

local fromSet = {}
local room = limit - #removed
if room > 0 then
  if ARGV[4] == 'finished' then
    fromSet = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'LIMIT', 0, room)
  else
    -- Scan in order, examining at most 10 * limit members.
    local members = redis.call('ZRANGE', KEYS[1], 0, limit * 10 - 1)
    for _, id in ipairs(members) do
      if #fromSet >= room then break end
      if old(id) then fromSet[#fromSet + 1] = id end
    end
  end
end
for _, id in ipairs(fromSet) do
  redis.call('DEL', prefix .. 'job:' .. id)
  removed[#removed + 1] = id
end
if #fromSet > 0 then redis.call('ZREM', KEYS[1], unpack(fromSet)) end
return removed

-- The body of submit-2.lua, shared with the variants that also keep the player index
-- (submit-indexed-n.lua, submit-fenced-3.lua). ARGV[1..11] as in submit-2.lua; the triples start
-- at ARGV[first]. Returns what submit-2.lua returns.
local function submit_scores (key, metaKey, first)
  local policy, desc = ARGV[1], ARGV[2] == 'desc'
  local M, lo, hi = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
  local ttl, maxMembers, metaTtl = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])

  local tie = 0
  if M > 1 then
    local t = redis.call('TIME')
    local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local ticks = math.floor((ms - tonumber(ARGV[6])) / tonumber(ARGV[7]))
    if ticks < 0 then ticks = 0 elseif ticks > M - 1 then ticks = M - 1 end
    if desc then tie = M - 1 - ticks else tie = ticks end
  end

  -- Pass 1: compute every write (members may repeat inside one batch), validate, write nothing.
  local pending = {}
  local out = {}
  local writes = {}
  local n = 0
  for i = first, #ARGV, 3 do
    n = n + 1
    local member, value = ARGV[i], tonumber(ARGV[i + 1])
    local raw = pending[member]
    if raw == nil then
      raw = redis.call('ZSCORE', key, member)
      if raw then raw = tonumber(raw) else raw = false end
    end
    local old = false
    if raw then
      if M > 1 then old = math.floor(raw / M) + lo else old = raw end
    end
    local new = value
    if policy == 'increment' then
      if old then new = old + value end
    elseif old and policy == 'best' then
      if desc then
        if value <= old then new = old end
      else
        if value >= old then new = old end
      end
    end
    if new < lo or new > hi then return { -1, n } end
    local changed = 0
    local stored = raw
    if (not old) or new ~= old then
      changed = 1
      if M > 1 then stored = (new - lo) * M + tie else stored = new end
      pending[member] = stored
      writes[#writes + 1] = stored
      writes[#writes + 1] = member
    end
    out[#out + 1] = string.format('%.17g', stored)
    out[#out + 1] = changed
  end

  -- Pass 2: write.
  if #writes > 0 then
    -- In chunks: unpack() of a very large table would overflow the Lua stack.
    for k = 1, #writes, 2000 do
      redis.call('ZADD', key, unpack(writes, k, math.min(k + 1999, #writes)))
    end
    if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
  end
  for i = first, #ARGV, 3 do
    if ARGV[i + 2] ~= '' then redis.call('HSET', metaKey, ARGV[i], ARGV[i + 2]) end
  end
  if metaTtl > 0 then redis.call('PEXPIRE', metaKey, metaTtl) end

  if maxMembers > 0 then
    local card = redis.call('ZCARD', key)
    if card > maxMembers then
      local from, to
      if desc then from, to = 0, card - maxMembers - 1 else from, to = maxMembers, -1 end
      if ARGV[11] == '1' then
        local gone = redis.call('ZRANGE', key, from, to)
        for k = 1, #gone, 1000 do
          redis.call('HDEL', metaKey, unpack(gone, k, math.min(k + 999, #gone)))
        end
      end
      redis.call('ZREMRANGEBYRANK', key, from, to)
    end
  end
  return out
end

-- GCRA for a one-policy rule (the hot path), shared by gcra-1.lua and batch-n.lua so a batched
-- check is exactly a single one. Returns the script reply (see gcra-1.lua).
local function gcra_one(key, cost, consume, now, interval, tolerance, field)
  local tat = tonumber(redis.call('HGET', key, field))
  local stored = tat ~= nil
  if not stored or tat < now then tat = now end
  local need = cost * interval
  -- 1 microsecond of slack absorbs the rounding of stored TATs.
  if tat + need - now > tolerance + 1 then
    local retry = tat + need - now - tolerance
    if need > tolerance then retry = tolerance end
    if retry < 0 then retry = 0 end
    local rem = math.floor((tolerance - (tat - now)) / interval + 1e-9)
    if rem < 0 then rem = 0 end
    return { 0, 1, rem, math.ceil((tat - now) / 1000), math.ceil(retry / 1000) }
  end
  if not consume then
    local rem = math.floor((tolerance - (tat - now)) / interval + 1e-9)
    if rem < 0 then rem = 0 end
    return { 1, 1, rem, math.ceil((tat - now) / 1000), 0 }
  end
  tat = tat + need
  -- The number as is: Redis writes it with 17 significant digits (no string.format call here).
  redis.call('HSET', key, field, tat)
  -- The key must live until the TAT. A new key gets its TTL set; else it moves only when
  -- shorter than needed, and then with slack so a busy key moves it rarely.
  local used = tat - now
  local ms = math.ceil(used / 1000)
  if not stored or redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms + ttl_slack(math.ceil(tolerance / 1000))) end
  local rem = math.floor((tolerance - used) / interval + 1e-9)
  if rem < 0 then rem = 0 end
  return packed(rem, ms)
end

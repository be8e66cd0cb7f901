-- GCRA for a one-policy rule (the hot path), shared by gcra-1.lua and batch-n.lua so a batched
-- check answers exactly as a single one. Returns the script reply (see gcra-1.lua).

-- Whole tokens left when the bucket's TAT is `tat`.
local function gcra_remaining(tat, now, interval, tolerance)
  local rem = math.floor((tolerance - (tat - now)) / interval + 1e-9)
  if rem < 0 then rem = 0 end
  return rem
end

-- The reply for a request of `need` microseconds at TAT `tat` (already >= now), or nil when the
-- bucket admits it. 1 microsecond of slack absorbs the rounding of stored TATs.
local function gcra_refusal(tat, need, now, interval, tolerance)
  if tat + need - now <= tolerance + 1 then return nil end
  local retry = tat + need - now - tolerance
  if need > tolerance then retry = tolerance end
  if retry < 0 then retry = 0 end
  return { 0, 1, gcra_remaining(tat, now, interval, tolerance), math.ceil((tat - now) / 1000), math.ceil(retry / 1000) }
end

-- The TTL after the TAT moved to `tat`: the key must live until then. A new field gets the TTL
-- set; else it moves only when shorter than needed, and then with slack so a busy key moves it
-- rarely.
local function gcra_keep_alive(key, was_stored, tat, now, tolerance)
  local ms = math.ceil((tat - now) / 1000)
  if not was_stored or redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms + ttl_slack(math.ceil(tolerance / 1000))) end
end

-- The reply of an admitted request, the TAT now at `tat`.
local function gcra_admitted(tat, now, interval, tolerance)
  return packed(gcra_remaining(tat, now, interval, tolerance), math.ceil((tat - now) / 1000))
end

local function gcra_one(key, cost, consume, now, interval, tolerance, field)
  local tat = tonumber(redis.call('HGET', key, field))
  local stored = tat ~= nil
  if not stored or tat < now then tat = now end
  local need = cost * interval
  local refusal = gcra_refusal(tat, need, now, interval, tolerance)
  if refusal ~= nil then return refusal end
  if not consume then
    return { 1, 1, gcra_remaining(tat, now, interval, tolerance), math.ceil((tat - now) / 1000), 0 }
  end
  tat = tat + need
  -- The number as is: Redis writes it with 17 significant digits (no string.format call here).
  redis.call('HSET', key, field, tat)
  gcra_keep_alive(key, stored, tat, now, tolerance)
  return gcra_admitted(tat, now, interval, tolerance)
end

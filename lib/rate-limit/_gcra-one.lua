-- GCRA for a one-policy rule (the hot path), shared by gcra-1.lua and batch-n.lua so a batched
-- check answers exactly as a single one. Returns the script reply (see gcra-1.lua).
--
-- State: one string key per client; its theoretical arrival time (TAT, whole microseconds) is
-- split between the key's expiry, at ms floor(TAT / 1000) + 2, and its value, TAT % 1000 (a
-- shared small integer in Redis: no value allocation). The key so lives exactly as long as the
-- bucket holds anything (a TAT in the past is an empty bucket), and costs what one plain counter
-- key costs (issue 22: bytes per client). The + 2 keeps the expiry in the future even when the
-- TAT lies in the current millisecond.

local function gcra_read(key, now)
  local r = redis.call('GET', key)
  if not r then return nil end
  local at = expire_at(key, now)
  if at < 0 then return nil end
  return (at - 2) * 1000 + tonumber(r)
end

local function gcra_store(key, tat)
  local r = tat % 1000
  redis.call('SET', key, r, 'PXAT', (tat - r) / 1000 + 2)
end

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

-- The TAT after admitting `need` microseconds at `tat`, rounded to a whole microsecond (what is
-- stored; the batch rounds the same way after each check, so both answer alike).
local function gcra_advance(tat, need)
  return math.floor(tat + need + 0.5)
end

-- The reply of an admitted request, the TAT now at `tat`.
local function gcra_admitted(tat, now, interval, tolerance)
  return packed(gcra_remaining(tat, now, interval, tolerance), math.ceil((tat - now) / 1000))
end

local function gcra_one(key, cost, consume, now, interval, tolerance)
  local tat = gcra_read(key, now)
  if tat == nil or tat < now then tat = now end
  local need = cost * interval
  local refusal = gcra_refusal(tat, need, now, interval, tolerance)
  if refusal ~= nil then return refusal end
  if not consume then
    return { 1, 1, gcra_remaining(tat, now, interval, tolerance), math.ceil((tat - now) / 1000), 0 }
  end
  tat = gcra_advance(tat, need)
  gcra_store(key, tat)
  return gcra_admitted(tat, now, interval, tolerance)
end

-- The fixed window for a one-policy rule (the hot path), shared by fixed-window-1.lua and
-- batch-n.lua so a batched check answers exactly as a single one. Returns the script reply (see
-- fixed-window-1.lua).
--
-- State: one string key per client holding the window's count, an integer (a count below 10,000
-- is one of Redis's shared integers: the key costs no value allocation), and the window's end as
-- the key's expiry, set when the window starts (PX window) and kept by later writes (KEEPTTL).
-- That is exactly the one counter key @fastify/rate-limit keeps (issue 22: bytes per client).

-- The window at `now`: its start (us, derived from the expiry), its count and whether it is new
-- (none stored, or a key without expiry, which only a foreign write could leave).
local function fw_read(key, now, w)
  local c = tonumber(redis.call('GET', key))
  if c == nil then return now, 0, true end
  local left = redis.call('PTTL', key)
  if left < 0 then return now, 0, true end
  return now + left * 1000 - w, c, false
end

-- The reply when a request of `cost` does not fit (c units used of limit since s), else nil.
local function fw_refusal(s, c, cost, limit, now, w)
  if c + cost <= limit then return nil end
  local rem = limit - c
  if rem < 0 then rem = 0 end
  local reset = 0
  if c > 0 then reset = s + w - now end
  local retry = s + w - now
  if cost > limit or c == 0 then retry = w end
  return { 0, 1, rem, math.ceil(reset / 1000), math.ceil(retry / 1000) }
end

-- Stores count c: a new window gets its expiry (the window, in ms), a running one keeps its own.
local function fw_write(key, fresh, c, w)
  if fresh then
    redis.call('SET', key, c, 'PX', w / 1000)
  else
    redis.call('SET', key, c, 'KEEPTTL')
  end
end

-- The reply of an admitted request, c units now used of the window started at s.
local function fw_admitted(s, c, limit, now, w)
  return packed(limit - c, math.ceil((s + w - now) / 1000))
end

local function fixed_window_one(key, cost, consume, now, limit, w)
  local s, c, fresh = fw_read(key, now, w)
  local refusal = fw_refusal(s, c, cost, limit, now, w)
  if refusal ~= nil then return refusal end
  if not consume then
    local reset = 0
    if c > 0 then reset = s + w - now end
    return { 1, 1, limit - c, math.ceil(reset / 1000), 0 }
  end
  c = c + cost
  fw_write(key, fresh, c, w)
  return fw_admitted(s, c, limit, now, w)
end

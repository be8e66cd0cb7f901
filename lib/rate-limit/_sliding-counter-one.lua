-- The sliding-window counter for a one-policy rule (the hot path), shared by
-- sliding-counter-1.lua and batch-n.lua so a batched check answers exactly as a single one.
-- Returns the script reply (see sliding-counter-1.lua); the steps are those of the general code
-- for one policy.

-- The current window's start, its count and the previous window's count at `now`, from the
-- stored start `s`, count `c` and previous count `p` (strings or nil).
local function sc_window(s, c, p, now, w)
  local start = math.floor(now / w) * w
  s, c, p = tonumber(s), tonumber(c) or 0, tonumber(p) or 0
  if s == start then return start, c, p end
  if s == start - w then return start, 0, c end
  return start, 0, 0
end

-- The weighted count: the previous window counts for the part of it still inside the sliding window.
local function sc_estimate(start, c, p, now, w)
  return p * (w - (now - start)) / w + c
end

local function sc_reset(start, c, p, now, w)
  if c > 0 then return start + 2 * w - now end
  if p > 0 then return start + w - now end
  return 0
end

-- How long (us) until a request of `cost` that does not fit now would fit.
local function sc_retry(start, c, p, cost, limit, now, w)
  local retry
  if cost > limit then
    retry = w
  elseif p > 0 and c + cost <= limit then
    -- Still in this window: the previous window's weight falls until the request fits.
    retry = (w - (limit - cost - c) * w / p) - (now - start)
  else
    -- Next window: this window's count becomes the weighted previous one.
    retry = (start + w - now) + w * (1 - (limit - cost) / c)
  end
  if retry < 1 then retry = 1 end
  return retry
end

-- The reply when a request of `cost` does not fit the weighted count `est`, else nil.
local function sc_refusal(start, c, p, est, cost, limit, now, w)
  if est + cost <= limit then return nil end
  local rem = math.floor(limit - est)
  if rem < 0 then rem = 0 end
  return { 0, 1, rem, math.ceil(sc_reset(start, c, p, now, w) / 1000), math.ceil(sc_retry(start, c, p, cost, limit, now, w) / 1000) }
end

local function sc_write(key, field, start, c, p, now, w)
  redis.call('HSET', key, field .. ':s', string.format('%.0f', start), field .. ':c', c, field .. ':p', p)
  redis.call('PEXPIRE', key, math.ceil((start + 2 * w - now) / 1000))
end

-- Whole units left once `counted` more are added to the weighted count `est`.
local function sc_remaining(est, counted, limit)
  local rem = math.floor(limit - (est + counted))
  if rem < 0 then rem = 0 end
  return rem
end

-- The reply of an allowed request of `cost` (est: the weighted count before it); the caller
-- records it.
local function sc_admitted(start, est, cost, limit, now, w)
  return packed(sc_remaining(est, cost, limit), math.ceil((start + 2 * w - now) / 1000))
end

local function sliding_counter_one(key, cost, consume, now, limit, w, field)
  local v = redis.call('HMGET', key, field .. ':s', field .. ':c', field .. ':p')
  local start, c, p = sc_window(v[1], v[2], v[3], now, w)
  local est = sc_estimate(start, c, p, now, w)
  local refusal = sc_refusal(start, c, p, est, cost, limit, now, w)
  if refusal ~= nil then return refusal end
  if not consume then
    return { 1, 1, sc_remaining(est, 0, limit), math.ceil(sc_reset(start, c, p, now, w) / 1000), 0 }
  end
  sc_write(key, field, start, c + cost, p, now, w)
  return sc_admitted(start, est, cost, limit, now, w)
end

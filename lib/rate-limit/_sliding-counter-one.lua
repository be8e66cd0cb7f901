-- The sliding-window counter for a one-policy rule (the hot path), shared by
-- sliding-counter-1.lua and batch-n.lua so a batched check answers exactly as a single one.
-- Returns the script reply (see sliding-counter-1.lua); the steps are those of the general code
-- for one policy.
--
-- State: one string key per client, an integer made of the previous window's count p and
-- c2 = 2 * (the current window's count) + (the window index's parity): c2 alone while p is 0
-- (then, below 10,000, one of Redis's shared integers: no value allocation), else p followed by
-- c2 in ten digits. The key expires 1 ms before the end of the window after the one it was
-- written in, so a stored state is of this window (same parity) or of the previous one (the
-- other parity): no window start is stored (issue 22: bytes per client).

-- The current window's start, its count and the previous window's count at `now`.
local function sc_read(key, now, w)
  local index = math.floor(now / w)
  local start = index * w
  local v = redis.call('GET', key)
  if not v then return start, 0, 0 end
  local p, c2 = 0, nil
  if #v > 10 then
    p, c2 = tonumber(string.sub(v, 1, -11)), tonumber(string.sub(v, -10))
  else
    c2 = tonumber(v)
  end
  local parity = c2 % 2
  local c = (c2 - parity) / 2
  if parity == index % 2 then return start, c, p end
  return start, 0, c
end

local function sc_write(key, start, c, p, w)
  local c2 = 2 * c + (start / w) % 2
  local v
  if p == 0 then v = string.format('%d', c2) else v = string.format('%d%010d', p, c2) end
  redis.call('SET', key, v, 'PXAT', (start + 2 * w) / 1000 - 1)
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

local function sliding_counter_one(key, cost, consume, now, limit, w)
  local start, c, p = sc_read(key, now, w)
  local est = sc_estimate(start, c, p, now, w)
  local refusal = sc_refusal(start, c, p, est, cost, limit, now, w)
  if refusal ~= nil then return refusal end
  if not consume then
    return { 1, 1, sc_remaining(est, 0, limit), math.ceil(sc_reset(start, c, p, now, w) / 1000), 0 }
  end
  sc_write(key, start, c + cost, p, w)
  return sc_admitted(start, est, cost, limit, now, w)
end

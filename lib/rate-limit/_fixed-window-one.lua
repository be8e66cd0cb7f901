-- The fixed window for a one-policy rule (the hot path), shared by fixed-window-1.lua and
-- batch-n.lua so a batched check answers exactly as a single one. Returns the script reply (see
-- fixed-window-1.lua); the steps are those of the general code for one policy.

-- The window of stored start `s` and count `c` (strings or nil) at `now`: a new one when none
-- is stored or it has ended.
local function fw_window(s, c, now, w)
  s, c = tonumber(s), tonumber(c)
  if s == nil or c == nil or now >= s + w then return now, 0 end
  return s, c
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

local function fw_write(key, field, s, c, now, w)
  redis.call('HSET', key, field .. ':s', string.format('%.0f', s), field .. ':c', c)
  redis.call('PEXPIRE', key, math.max(1, math.ceil((s + w - now) / 1000)))
end

-- The reply of an admitted request, c units now used of the window started at s.
local function fw_admitted(s, c, limit, now, w)
  return packed(limit - c, math.ceil((s + w - now) / 1000))
end

local function fixed_window_one(key, cost, consume, now, limit, w, field)
  local v = redis.call('HMGET', key, field .. ':s', field .. ':c')
  local s, c = fw_window(v[1], v[2], now, w)
  local refusal = fw_refusal(s, c, cost, limit, now, w)
  if refusal ~= nil then return refusal end
  if not consume then
    local reset = 0
    if c > 0 then reset = s + w - now end
    return { 1, 1, limit - c, math.ceil(reset / 1000), 0 }
  end
  c = c + cost
  fw_write(key, field, s, c, now, w)
  return fw_admitted(s, c, limit, now, w)
end

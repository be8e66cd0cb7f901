-- Sliding-window counter (two-window approximation): windows aligned to the epoch; the count of
-- the previous window is weighted by the part of it still inside the sliding window.
-- O(1) memory. A rejected request changes nothing.
-- One policy: a string key, both counts in one integer (see _sliding-counter-one.lua).
-- Several policies: one hash; per policy three fields, '<field>:s' current window start
-- (microseconds), '<field>:c' its count, '<field>:p' the previous window's count.
--
-- KEYS[1]  the string key (one policy) or the hash (several policies)
-- ARGV[1]  cost (integer >= 1); negative: peek a request of -cost (never records)
-- ARGV[2 + 3(i-1) ..]  per policy i: limit, window (us), field name
-- Returns  { allowed 0|1, binding policy index (1-based), remaining, resetMs, retryAfterMs },
--          or, for an allowed and counted request of a one-policy rule, the single integer
--          remaining * 2^23 + resetMs (see _hot-path.lua)
--@include "_preamble.lua"
--@include "_hot-path.lua"
--@include "_sliding-counter-one.lua"

if #ARGV == 4 then
  -- One policy (the common case): the same steps as below, without tables or loops.
  return sliding_counter_one(key, cost, consume, now, tonumber(ARGV[2]), tonumber(ARGV[3]))
end

-- The current window's start, its count and the previous window's count at `now`, from the
-- stored start `s`, count `c` and previous count `p` (strings or nil).
local function sc_window(s, c, p, now, w)
  local start = math.floor(now / w) * w
  s, c, p = tonumber(s), tonumber(c) or 0, tonumber(p) or 0
  if s == start then return start, c, p end
  if s == start - w then return start, 0, c end
  return start, 0, 0
end

local n = (#ARGV - 1) / 3
local fmt = string.format

local names = {}
for i = 1, n do
  local f = ARGV[3 * i + 1]
  names[3 * i - 2] = f .. ':s'
  names[3 * i - 1] = f .. ':c'
  names[3 * i] = f .. ':p'
end
local v = redis.call('HMGET', key, unpack(names))

local cs, cur, prev, est, allowed = {}, {}, {}, {}, true
for i = 1, n do
  local limit = tonumber(ARGV[3 * i - 1])
  local w = tonumber(ARGV[3 * i])
  local start, c, p = sc_window(v[3 * i - 2], v[3 * i - 1], v[3 * i], now, w)
  cs[i], cur[i], prev[i] = start, c, p
  est[i] = sc_estimate(start, c, p, now, w)
  if est[i] + cost > limit then allowed = false end
end

local record = allowed and consume
if record then
  local ttl, hargs = 0, {}
  for i = 1, n do
    local w = tonumber(ARGV[3 * i])
    hargs[6 * i - 5] = names[3 * i - 2]
    hargs[6 * i - 4] = fmt('%.0f', cs[i])
    hargs[6 * i - 3] = names[3 * i - 1]
    hargs[6 * i - 2] = cur[i] + cost
    hargs[6 * i - 1] = names[3 * i]
    hargs[6 * i] = prev[i]
    local left = cs[i] + 2 * w - now
    if left > ttl then ttl = left end
  end
  redis.call('HSET', key, unpack(hargs))
  redis.call('PEXPIRE', key, math.ceil(ttl / 1000))
end

local bi, brem, breset, bretry = 1, nil, 0, -1
for i = 1, n do
  local limit = tonumber(ARGV[3 * i - 1])
  local w = tonumber(ARGV[3 * i])
  local start, c, p = cs[i], cur[i], prev[i]
  local e = est[i]
  if record then c = c + cost; e = e + cost end
  local rem = math.floor(limit - e)
  if rem < 0 then rem = 0 end
  local reset = sc_reset(start, c, p, now, w)
  local retry = 0
  if not allowed and est[i] + cost > limit then retry = sc_retry(start, c, p, cost, limit, now, w) end
  if allowed then
    if brem == nil or rem < brem or (rem == brem and reset > breset) then bi, brem, breset = i, rem, reset end
  elseif retry > bretry then
    bi, brem, breset, bretry = i, rem, reset, retry
  end
end
if bretry < 0 then bretry = 0 end
return { allowed and 1 or 0, bi, brem, math.ceil(breset / 1000), math.ceil(bretry / 1000) }

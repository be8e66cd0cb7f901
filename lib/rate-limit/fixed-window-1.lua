-- Fixed window, started by the first request of the window (not aligned to the epoch, so all
-- keys do not reset at the same instant). A rejected request changes nothing.
-- One policy: a string key, the count, expiring at the window's end (see _fixed-window-one.lua).
-- Several policies: one hash; per policy two fields, '<field>:s' window start (Redis TIME,
-- microseconds) and '<field>:c' units consumed.
--
-- KEYS[1]  the string key (one policy) or the hash (several policies)
-- ARGV[1]  cost (integer >= 1); negative: peek a request of -cost (never records)
-- ARGV[2 + 3(i-1) ..]  per policy i: limit, window (us), field name
-- Returns  { allowed 0|1, binding policy index (1-based), remaining, resetMs, retryAfterMs },
--          or, for an allowed and counted request of a one-policy rule, the single integer
--          remaining * 2^23 + resetMs (see _hot-path.lua)
--@include "_preamble.lua"
--@include "_hot-path.lua"
--@include "_fixed-window-one.lua"

if #ARGV == 4 then
  -- One policy (the common case): the same steps as below, without tables or loops.
  return fixed_window_one(key, cost, consume, now, tonumber(ARGV[2]), tonumber(ARGV[3]))
end

-- The window of stored start `s` and count `c` (strings or nil) at `now`: a new one when none
-- is stored or it has ended.
local function fw_window(s, c, now, w)
  s, c = tonumber(s), tonumber(c)
  if s == nil or c == nil or now >= s + w then return now, 0 end
  return s, c
end

local n = (#ARGV - 1) / 3
local fmt = string.format

local names = {}
for i = 1, n do
  local f = ARGV[3 * i + 1]
  names[2 * i - 1] = f .. ':s'
  names[2 * i] = f .. ':c'
end
local v = redis.call('HMGET', key, unpack(names))

local starts, counts, allowed = {}, {}, true
for i = 1, n do
  local limit = tonumber(ARGV[3 * i - 1])
  local w = tonumber(ARGV[3 * i])
  local s, c = fw_window(v[2 * i - 1], v[2 * i], now, w)
  starts[i], counts[i] = s, c
  if c + cost > limit then allowed = false end
end

local record = allowed and consume
if record then
  local ttl, hargs = 0, {}
  for i = 1, n do
    local w = tonumber(ARGV[3 * i])
    hargs[4 * i - 3] = names[2 * i - 1]
    hargs[4 * i - 2] = fmt('%.0f', starts[i])
    hargs[4 * i - 1] = names[2 * i]
    hargs[4 * i] = counts[i] + cost
    local left = starts[i] + w - now
    if left > ttl then ttl = left end
  end
  redis.call('HSET', key, unpack(hargs))
  redis.call('PEXPIRE', key, math.max(1, math.ceil(ttl / 1000)))
end

local bi, brem, breset, bretry = 1, nil, 0, -1
for i = 1, n do
  local limit = tonumber(ARGV[3 * i - 1])
  local w = tonumber(ARGV[3 * i])
  local c = counts[i]
  if record then c = c + cost end
  local rem = limit - c
  if rem < 0 then rem = 0 end
  local reset = 0
  if c > 0 then reset = starts[i] + w - now end
  local retry = 0
  if not allowed and counts[i] + cost > limit then
    if cost > limit or counts[i] == 0 then retry = w else retry = starts[i] + w - now end
  end
  if allowed then
    if brem == nil or rem < brem or (rem == brem and reset > breset) then bi, brem, breset = i, rem, reset end
  elseif retry > bretry then
    bi, brem, breset, bretry = i, rem, reset, retry
  end
end
if bretry < 0 then bretry = 0 end
return { allowed and 1 or 0, bi, brem, math.ceil(breset / 1000), math.ceil(bretry / 1000) }

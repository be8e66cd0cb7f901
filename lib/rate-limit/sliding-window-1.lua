-- Sliding-window log: exact. One sorted set per rate-limit key holds one member per unit of
-- cost of every ALLOWED request (score = Redis TIME in microseconds); every policy of the key
-- counts the members inside its own window. Rejected requests record nothing, and members are
-- unique (caller-unique suffix + unit index), so concurrent requests never merge.
-- Memory is bounded by the limit of the longest-window policy.
--
-- KEYS[1]  the sorted set
-- ARGV[1]  cost (integer >= 1); negative: peek a request of -cost (never records)
-- ARGV[2]  unique suffix for the members of this call
-- ARGV[3 + 2(i-1) ..]  per policy i: limit, window (us)
-- Returns  { allowed 0|1, binding policy index (1-based), remaining, resetMs, retryAfterMs },
--          or, for an allowed and counted request of a one-policy rule, the single integer
--          remaining * 2^23 + resetMs (see _hot-path.lua)
--@include "_preamble.lua"
--@include "_hot-path.lua"
--@include "_sliding-window-one.lua"
local fmt = string.format

if #ARGV == 4 then
  -- One policy (the common case): the same steps as below, without tables or loops.
  return sliding_window_one(key, cost, consume, now, ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
end

local n = (#ARGV - 2) / 2

local limits, windows, maxw = {}, {}, 0
for i = 1, n do
  limits[i] = tonumber(ARGV[2 * i + 1])
  local w = tonumber(ARGV[2 * i + 2])
  windows[i] = w
  if w > maxw then maxw = w end
end
-- Members at or before now - maxw are outside every window.
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - maxw)

local counts, allowed = {}, true
for i = 1, n do
  local c
  if windows[i] == maxw then
    -- After the trim every member is inside the longest window: ZCARD is O(1).
    c = redis.call('ZCARD', key)
  else
    c = redis.call('ZCOUNT', key, '(' .. fmt('%.0f', now - windows[i]), '+inf')
  end
  counts[i] = c
  if c + cost > limits[i] then allowed = false end
end

local record = allowed and consume
if record then
  record_members(key, cost, now, ARGV[2])
  redis.call('PEXPIRE', key, math.ceil(maxw / 1000))
end

local newest = nil
local bi, brem, breset, bretry = 1, nil, 0, -1
for i = 1, n do
  local limit, w, c = limits[i], windows[i], counts[i]
  local rem = limit - c
  if record then rem = rem - cost end
  if rem < 0 then rem = 0 end
  local reset
  if record then
    reset = w
  elseif c == 0 then
    reset = 0
  else
    if newest == nil then newest = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2]) end
    reset = newest + w - now
  end
  if allowed then
    if brem == nil or rem < brem or (rem == brem and reset > breset) then bi, brem, breset = i, rem, reset end
  elseif c + cost > limit then
    local retry
    if cost > limit then
      retry = w
    else
      -- The (c + cost - limit)-th oldest member of this window must leave it first.
      local k = c + cost - limit
      local r
      if w == maxw then
        r = redis.call('ZRANGE', key, k - 1, k - 1, 'WITHSCORES')
      else
        r = redis.call('ZRANGEBYSCORE', key, '(' .. fmt('%.0f', now - w), '+inf', 'WITHSCORES', 'LIMIT', k - 1, 1)
      end
      retry = tonumber(r[2]) + w - now
    end
    if retry > bretry then bi, brem, breset, bretry = i, rem, reset, retry end
  end
end
if bretry < 0 then bretry = 0 end
return { allowed and 1 or 0, bi, brem, math.ceil(breset / 1000), math.ceil(bretry / 1000) }

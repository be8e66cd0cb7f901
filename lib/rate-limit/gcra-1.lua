-- GCRA (generic cell rate algorithm): token-bucket semantics with one timestamp per policy.
-- Tokens refill at limit per window; up to burst tokens accumulate. The state is the theoretical
-- arrival time (TAT, Redis TIME in microseconds). A rejected request changes nothing.
-- One policy: a string key, the TAT split between its expiry and value (see _gcra-one.lua).
-- Several policies: one hash, the TAT of each policy in field '<field>'.
--
-- KEYS[1]  the string key (one policy) or the hash (several policies)
-- ARGV[1]  cost (integer >= 1); negative: peek a request of -cost (never records)
-- ARGV[2 + 3(i-1) ..]  per policy i: emission interval (us, window / limit), tolerance (us,
--          burst * interval), field name
-- Returns  { allowed 0|1, binding policy index (1-based), remaining, resetMs, retryAfterMs },
--          or, for an allowed and counted request of a one-policy rule, the single integer
--          remaining * 2^23 + resetMs (see _hot-path.lua)
--@include "_preamble.lua"
--@include "_hot-path.lua"
--@include "_gcra-one.lua"

if #ARGV == 4 then
  -- One policy (the common case): no tables, no unpack.
  return gcra_one(key, cost, consume, now, tonumber(ARGV[2]), tonumber(ARGV[3]))
end

local n = (#ARGV - 1) / 3
local fields, intervals, tolerances = {}, {}, {}
for i = 1, n do
  local b = 3 * i - 1
  intervals[i] = tonumber(ARGV[b])
  tolerances[i] = tonumber(ARGV[b + 1])
  fields[i] = ARGV[b + 2]
end
local stored = redis.call('HMGET', key, unpack(fields))

local tats, allowed = {}, true
for i = 1, n do
  local tat = tonumber(stored[i])
  if tat == nil or tat < now then tat = now end
  tats[i] = tat
  if tat + cost * intervals[i] - now > tolerances[i] + 1 then allowed = false end
end

if allowed and consume then
  local ttl, hargs = 0, {}
  for i = 1, n do
    local nt = tats[i] + cost * intervals[i]
    tats[i] = nt
    hargs[2 * i - 1] = fields[i]
    hargs[2 * i] = string.format('%.0f', nt)
    if nt - now > ttl then ttl = nt - now end
  end
  redis.call('HSET', key, unpack(hargs))
  redis.call('PEXPIRE', key, math.ceil(ttl / 1000))
end

local bi, brem, breset, bretry = 1, nil, 0, -1
for i = 1, n do
  local interval, tolerance = intervals[i], tolerances[i]
  local used = tats[i] - now
  local rem = math.floor((tolerance - used) / interval + 1e-9)
  if rem < 0 then rem = 0 end
  if allowed then
    if brem == nil or rem < brem or (rem == brem and used > breset) then bi, brem, breset = i, rem, used end
  else
    local retry = tats[i] + cost * interval - now - tolerance
    if cost * interval > tolerance then retry = tolerance end
    if retry > 1 and retry > bretry then bi, brem, breset, bretry = i, rem, used, retry end
  end
end
if bretry < 0 then bretry = 0 end
return { allowed and 1 or 0, bi, brem, math.ceil(breset / 1000), math.ceil(bretry / 1000) }

-- GCRA (generic cell rate algorithm): token-bucket semantics with one timestamp per policy.
-- Tokens refill at limit per window; up to burst tokens accumulate. The state is the theoretical
-- arrival time (TAT, Redis TIME in microseconds) in hash field '<field>'. A rejected request
-- changes nothing.
--
-- KEYS[1]  the hash
-- ARGV[1]  '1' consume when every policy allows, '0' peek
-- ARGV[2]  cost (integer >= 1)
-- ARGV[3]  unused
-- ARGV[4 + 4(i-1) ..]  per policy i: limit, window ms, burst, field name
-- Returns  { allowed 0|1, binding policy index (1-based), remaining, resetMs, retryAfterMs }
local key = KEYS[1]
local cost = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]
local n = (#ARGV - 3) / 4

local fields, intervals, tolerances = {}, {}, {}
for i = 1, n do
  local b = 4 * i
  intervals[i] = ARGV[b + 1] * 1000 / ARGV[b]
  tolerances[i] = ARGV[b + 2] * intervals[i]
  fields[i] = ARGV[b + 3]
end
local stored
if n == 1 then stored = { redis.call('HGET', key, fields[1]) } else stored = redis.call('HMGET', key, unpack(fields)) end

local tats, allowed = {}, true
for i = 1, n do
  local tat = tonumber(stored[i])
  if tat == nil or tat < now then tat = now end
  tats[i] = tat
  -- 1 microsecond of slack absorbs the rounding of stored TATs.
  if tat + cost * intervals[i] - now > tolerances[i] + 1 then allowed = false end
end

if allowed and ARGV[1] == '1' then
  local ttl, hargs = 0, {}
  for i = 1, n do
    local nt = tats[i] + cost * intervals[i]
    tats[i] = nt
    hargs[2 * i - 1] = fields[i]
    hargs[2 * i] = string.format('%.0f', nt)
    if nt - now > ttl then ttl = nt - now end
  end
  if n == 1 then redis.call('HSET', key, hargs[1], hargs[2]) else redis.call('HSET', key, unpack(hargs)) end
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

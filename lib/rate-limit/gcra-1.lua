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
local consume = ARGV[1] == '1'
local cost = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = (#ARGV - 3) / 4

local tats, allowed = {}, true
for i = 1, n do
  local limit = tonumber(ARGV[4 * i])
  local interval = tonumber(ARGV[4 * i + 1]) * 1000 / limit
  local burst = tonumber(ARGV[4 * i + 2])
  local tat = tonumber(redis.call('HGET', key, ARGV[4 * i + 3]))
  if tat == nil or tat < now then tat = now end
  tats[i] = tat
  -- 1 microsecond of slack absorbs the rounding of stored TATs.
  if tat + cost * interval - now > burst * interval + 1 then allowed = false end
end

local record = allowed and consume
if record then
  local ttl = 0
  for i = 1, n do
    local limit = tonumber(ARGV[4 * i])
    local interval = tonumber(ARGV[4 * i + 1]) * 1000 / limit
    local nt = tats[i] + cost * interval
    tats[i] = nt
    redis.call('HSET', key, ARGV[4 * i + 3], string.format('%.0f', nt))
    if nt - now > ttl then ttl = nt - now end
  end
  redis.call('PEXPIRE', key, math.max(1, math.ceil(ttl / 1000)))
end

local bi, brem, breset, bretry = 1, nil, 0, -1
for i = 1, n do
  local limit = tonumber(ARGV[4 * i])
  local interval = tonumber(ARGV[4 * i + 1]) * 1000 / limit
  local burst = tonumber(ARGV[4 * i + 2])
  local used = tats[i] - now
  local rem = math.floor((burst * interval - used) / interval + 1e-9)
  if rem < 0 then rem = 0 end
  local reset = used
  local retry = 0
  if not allowed then
    local over = tats[i] + cost * interval - now - burst * interval
    if cost > burst then retry = burst * interval elseif over > 1 then retry = over end
  end
  if allowed then
    if brem == nil or rem < brem or (rem == brem and reset > breset) then bi, brem, breset = i, rem, reset end
  elseif retry > bretry then
    bi, brem, breset, bretry = i, rem, reset, retry
  end
end
if bretry < 0 then bretry = 0 end
return { allowed and 1 or 0, bi, brem, math.ceil(breset / 1000), math.ceil(bretry / 1000) }

-- A batch of counted one-policy checks (gcra and sliding-window, the hot path), evaluated in
-- order in one atomic call with one Redis TIME: check i sees every write of checks 1..i-1 (the
-- same key may come several times), so the batch answers exactly what the same checks sent one
-- by one at the same instant would.
--
-- Checks of one key share its state: the first reads it from Redis (HGET, or trim + ZCARD), the
-- later ones work on the copy here, and the writes (one HSET, one ZADD of all new members, one
-- TTL check) go out once per key at the end. Under load most checks of a batch hit a few hot
-- keys, so this saves Redis three to four commands per repeated check. A key seen again with
-- another gcra field or sliding window is written out and read afresh, as a single check would
-- read it; a sliding-window refusal writes out the pending members first (its retry time reads
-- the log).
--
-- KEYS[i]  the key of check i (a gcra hash or a sliding-window sorted set)
-- ARGV[1]  a prefix no other call uses: check i's log members are <prefix>i (and <prefix>i:<unit>)
-- ARGV[2]  R, the number of distinct rules in the batch, then each rule's arguments:
--          gcra:           'g', emission interval (us), tolerance (us), field
--          sliding-window: 's', limit, window (us)
-- ARGV[..] then one argument per check i, in KEYS order: cost * 16384 + rule index (1..R),
--          cost an integer >= 1 (below 2^53 / 16384)
-- Returns  one reply per check, in KEYS order, each as its single script would reply: the
--          packed integer of an allowed check, else { allowed, 1, remaining, resetMs, retryAfterMs }
--@include "_hot-path.lua"
--@include "_gcra-one.lua"
--@include "_sliding-window-one.lua"
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]

-- Per key, its state in this batch: gcra { field, tat, stored, dirty, tolerance } or
-- sliding-window { w, c, was_empty, zargs, n }. `touched` lists every state made, for the
-- final write-out (writing out a state twice is harmless: the second time it is clean).
local states, touched = {}, {}

local function write_out(key, s)
  if s.field ~= nil then
    if s.dirty then
      redis.call('HSET', key, s.field, s.tat)
      gcra_keep_alive(key, s.stored, s.tat, now, s.tolerance)
      s.dirty, s.stored = false, true
    end
  elseif s.n > 0 then
    zadd_pairs(key, s.zargs, s.n)
    sw_keep_alive(key, s.was_empty, s.w)
    s.zargs, s.n, s.was_empty = {}, 0, false
  end
end

local function state_of(key, s)
  states[key] = s
  touched[#touched + 1] = key
  touched[#touched + 1] = s
  return s
end

local function gcra_check(key, cost, interval, tolerance, field)
  local s = states[key]
  if s ~= nil and s.field ~= field then write_out(key, s); s = nil end
  if s == nil then
    local tat = tonumber(redis.call('HGET', key, field))
    s = state_of(key, { field = field, tat = tat, stored = tat ~= nil, dirty = false })
  end
  local tat = s.tat
  if tat == nil or tat < now then tat = now end
  local need = cost * interval
  local refusal = gcra_refusal(tat, need, now, interval, tolerance)
  if refusal ~= nil then return refusal end
  tat = tat + need
  s.tat, s.dirty, s.tolerance = tat, true, tolerance
  return packed(gcra_remaining(tat, now, interval, tolerance), math.ceil((tat - now) / 1000))
end

local function sliding_window_check(key, cost, member, limit, w)
  local s = states[key]
  if s ~= nil and s.w ~= w then write_out(key, s); s = nil end
  if s == nil then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - w)
    local c = redis.call('ZCARD', key)
    s = state_of(key, { w = w, c = c, was_empty = c == 0, zargs = {}, n = 0 })
  end
  if s.c + cost > limit then
    write_out(key, s)
    return sw_rejected(key, s.c, cost, limit, now, w)
  end
  s.n = append_members(s.zargs, s.n, cost, now, member)
  s.c = s.c + cost
  return packed(limit - s.c, math.ceil(w / 1000))
end

local prefix = ARGV[1]
local rules, a = {}, 3
for r = 1, tonumber(ARGV[2]) do
  if ARGV[a] == 'g' then
    rules[r] = { true, tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3] }
    a = a + 4
  else
    rules[r] = { false, tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]) }
    a = a + 3
  end
end

local out = {}
for i = 1, #KEYS do
  local v = tonumber(ARGV[a + i - 1])
  local ri = v % 16384
  local rule = rules[ri]
  if rule[1] then
    out[i] = gcra_check(KEYS[i], (v - ri) / 16384, rule[2], rule[3], rule[4])
  else
    out[i] = sliding_window_check(KEYS[i], (v - ri) / 16384, prefix .. i, rule[2], rule[3])
  end
end
for i = 1, #touched, 2 do write_out(touched[i], touched[i + 1]) end
return out

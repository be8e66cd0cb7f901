-- A batch of counted one-policy checks (the hot path, any algorithm), evaluated in order in one
-- atomic call with one Redis TIME: check i sees every write of checks 1..i-1 (the same key may
-- come several times), so the batch answers exactly what the same checks sent one by one at the
-- same instant would.
--
-- Checks of one key share its state: the first reads it from Redis (GET, or trim +
-- ZCARD), the later ones work on the copy here, and the writes (one SET or one ZADD of all new
-- members, and one TTL step) go out once per key at the end. Under load most checks of a batch
-- hit a few hot keys, so this saves Redis three to four commands per repeated check. A key seen
-- again under another policy (gcra, fixed-window and sliding-counter field; sliding-window
-- window) is written out and read afresh, as a single check would read it; a sliding-window
-- refusal writes out the pending members first (its retry time reads the log).
--
-- KEYS[i]  the key of check i (its algorithm's string key or sorted set)
-- ARGV[1]  a prefix no other call uses: check i's log members are <prefix>i (and <prefix>i:<unit>)
-- ARGV[2]  R, the number of distinct rules in the batch, then each rule's kind and arguments:
--          'g' gcra:            emission interval (us), tolerance (us), field
--          's' sliding-window:  limit, window (us)
--          'f' fixed-window:    limit, window (us), field
--          'c' sliding-counter: limit, window (us), field
-- ARGV[..] then one argument per check i, in KEYS order: cost * 16384 + rule index (1..R),
--          cost an integer >= 1 (below 2^53 / 16384)
-- Returns  one reply per check, in KEYS order, each as its single script would reply: the
--          packed integer of an allowed check, else { allowed, 1, remaining, resetMs, retryAfterMs }
--@include "_hot-path.lua"
--@include "_gcra-one.lua"
--@include "_sliding-window-one.lua"
--@include "_fixed-window-one.lua"
--@include "_sliding-counter-one.lua"
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]

-- Per key, its state in this batch (`kind` as in ARGV, `id` the field or window it was read
-- for, `dirty` when it must be written out). `touched` lists every state made, for the final
-- write-out (writing out a state twice is harmless: the second time it is clean). Each state is
-- built with all its fields at once: adding fields later would grow (reallocate) the table.
local states, touched = {}, {}

local function write_out(s)
  if not s.dirty then return end
  local key = s.key
  local kind = s.kind
  if kind == 'g' then
    gcra_store(key, s.tat)
  elseif kind == 's' then
    zadd_pairs(key, s.zargs, s.n)
    sw_keep_alive(key, s.was_empty, s.id)
    s.zargs, s.n, s.was_empty = {}, 0, false
  elseif kind == 'f' then
    fw_write(key, s.fresh, s.c, s.w)
    s.fresh = false
  else
    sc_write(key, s.start, s.c, s.p, s.w)
  end
  s.dirty = false
end

-- The state of `key` for a check of `kind` on `id` (window `w`), read from Redis by `read`
-- unless this batch holds it already.
local function state_of(key, kind, id, w, read)
  local s = states[key]
  if s ~= nil then
    if s.kind == kind and s.id == id then return s end
    write_out(s)
  end
  s = read(key, id, w)
  states[key] = s
  touched[#touched + 1] = s
  return s
end

local function read_gcra(key, field)
  return { key = key, kind = 'g', id = field, dirty = false, tat = gcra_read(key, now) }
end

local function read_log(key, w)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - w)
  local c = redis.call('ZCARD', key)
  return { key = key, kind = 's', id = w, dirty = false, c = c, was_empty = c == 0, zargs = {}, n = 0 }
end

local function read_window(key, field, w)
  local start, c, fresh = fw_read(key, now, w)
  return { key = key, kind = 'f', id = field, dirty = false, start = start, c = c, fresh = fresh, w = w }
end

local function read_counter(key, field, w)
  local start, c, p = sc_read(key, now, w)
  return { key = key, kind = 'c', id = field, dirty = false, start = start, c = c, p = p, w = w }
end

local function gcra_check(key, cost, interval, tolerance, field)
  local s = state_of(key, 'g', field, nil, read_gcra)
  local tat = s.tat
  if tat == nil or tat < now then tat = now end
  local need = cost * interval
  local refusal = gcra_refusal(tat, need, now, interval, tolerance)
  if refusal ~= nil then return refusal end
  tat = gcra_advance(tat, need)
  s.tat, s.dirty = tat, true
  return gcra_admitted(tat, now, interval, tolerance)
end

local function sliding_window_check(key, cost, member, limit, w)
  local s = state_of(key, 's', w, w, read_log)
  if s.c + cost > limit then
    write_out(s)
    return sw_rejected(key, s.c, cost, limit, now, w)
  end
  s.n = append_members(s.zargs, s.n, cost, now, member)
  s.c, s.dirty = s.c + cost, true
  return sw_admitted(s.c, limit, w)
end

local function fixed_window_check(key, cost, limit, w, field)
  local s = state_of(key, 'f', field, w, read_window)
  local refusal = fw_refusal(s.start, s.c, cost, limit, now, w)
  if refusal ~= nil then return refusal end
  s.c, s.dirty = s.c + cost, true
  return fw_admitted(s.start, s.c, limit, now, w)
end

local function sliding_counter_check(key, cost, limit, w, field)
  local s = state_of(key, 'c', field, w, read_counter)
  local est = sc_estimate(s.start, s.c, s.p, now, w)
  local refusal = sc_refusal(s.start, s.c, s.p, est, cost, limit, now, w)
  if refusal ~= nil then return refusal end
  s.c, s.dirty = s.c + cost, true
  return sc_admitted(s.start, est, cost, limit, now, w)
end

local prefix = ARGV[1]
local rules, a = {}, 3
for r = 1, tonumber(ARGV[2]) do
  if ARGV[a] == 's' then
    rules[r] = { 's', tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]) }
    a = a + 3
  else
    rules[r] = { ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3] }
    a = a + 4
  end
end

local out = {}
for i = 1, #KEYS do
  local v = tonumber(ARGV[a + i - 1])
  local ri = v % 16384
  local cost = (v - ri) / 16384
  local rule = rules[ri]
  local kind = rule[1]
  if kind == 'g' then
    out[i] = gcra_check(KEYS[i], cost, rule[2], rule[3], rule[4])
  elseif kind == 's' then
    out[i] = sliding_window_check(KEYS[i], cost, prefix .. i, rule[2], rule[3])
  elseif kind == 'f' then
    out[i] = fixed_window_check(KEYS[i], cost, rule[2], rule[3], rule[4])
  else
    out[i] = sliding_counter_check(KEYS[i], cost, rule[2], rule[3], rule[4])
  end
end
for i = 1, #touched do write_out(touched[i]) end
return out

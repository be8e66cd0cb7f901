-- A batch of counted one-policy checks (gcra and sliding-window, the hot path), evaluated in
-- order in one atomic call with one Redis TIME: check i sees every write of checks 1..i-1 (the
-- same key may come several times), so the batch answers exactly what the same checks sent one
-- by one at the same instant would. Each check runs the very code of its single script.
--
-- KEYS[i]  the key of check i (a gcra hash or a sliding-window sorted set)
-- ARGV[5(i-1) + 1 ..]  per check i, five arguments:
--          gcra:           'g', cost (integer >= 1), emission interval (us), tolerance (us), field
--          sliding-window: 's', cost (integer >= 1), unique member suffix, limit, window (us)
-- Returns  one reply per check, in KEYS order, each as its single script would reply: the
--          packed integer of an allowed check, else { allowed, 1, remaining, resetMs, retryAfterMs }
--@include "_hot-path.lua"
--@include "_gcra-one.lua"
--@include "_sliding-window-one.lua"
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]
local out = {}
for i = 1, #KEYS do
  local b = 5 * i - 4
  local cost = tonumber(ARGV[b + 1])
  if ARGV[b] == 'g' then
    out[i] = gcra_one(KEYS[i], cost, true, now, tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), ARGV[b + 4])
  else
    out[i] = sliding_window_one(KEYS[i], cost, true, now, ARGV[b + 2], tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4]))
  end
end
return out

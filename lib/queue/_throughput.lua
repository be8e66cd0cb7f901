-- Shared by fail-7 and take-9 (pasted by the loader's --@include).
-- countFinished(prefix, now, field, n): adds n to the per-minute throughput counter of the queue,
-- hash `<prefix>tput:<minute>` (minute = Redis time / 60000), field 'c' completed or 'f' failed for
-- good. Each minute's hash expires after 2 hours, so the counters take at most ~120 small hashes per
-- queue; Queue.throughput() reads the last hour. Two commands per call, once per script run.
local function countFinished(prefix, now, field, n)
  if n <= 0 then return end
  local key = prefix .. 'tput:' .. math.floor(now / 60000)
  redis.call('HINCRBY', key, field, n)
  redis.call('EXPIRE', key, 7200)
end

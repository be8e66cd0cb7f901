-- Shared by every script that puts a job into, or reads, the waiting state (pasted by the loader's
-- --@include). Waiting is two keys: priority-0 jobs (the default) in a plain list `<prefix>wait`,
-- FIFO (pushed at the tail, taken from the head), a few bytes per job; prioritized jobs
-- (priority >= 1) in the sorted set `waiting`, scored priority * 2^33 + sequence, ~100 bytes per
-- job once it holds more than 128. Workers take the list first (priority 0 runs first), then the
-- sorted set. The list key is built from the prefix like the job hashes: same hash tag, same slot.
-- A priority-0 job written by the previous version sits in the sorted set (score < 2^33): it is
-- taken after the list, before every prioritized job.

-- Defaults of the retention fields, not stored when a job has them (options.ts BASE_JOB_OPTIONS).
local DEFAULT_ROC = '1000:-1'
local DEFAULT_ROF = '-1:-1'

local function waitList (prefix) return prefix .. 'wait' end

-- Queues job `id` behind the waiting jobs of its priority. Returns the sorted-set score the job
-- must keep (field 'sc', to go back to its place after a stall), or nil for a list job.
local function enqueue (zset, meta, prefix, id, prio)
  if prio == 0 then
    redis.call('RPUSH', waitList(prefix), id)
    return nil
  end
  local seq = redis.call('HINCRBY', meta, 'seq', 1)
  local score = prio * 8589934592 + (seq % 8589934592)
  redis.call('ZADD', zset, score, id)
  return score
end

-- Puts back a job that was taken (lease lost, or given back) at its old place: its score in the
-- sorted set, or the head of the list (it was taken from there, ahead of every job still waiting).
local function requeue (zset, prefix, id, sc)
  if sc then
    redis.call('ZADD', zset, tonumber(sc), id)
  else
    redis.call('LPUSH', waitList(prefix), id)
  end
end

-- How many jobs are waiting.
local function waitingCount (zset, prefix)
  return redis.call('LLEN', waitList(prefix)) + redis.call('ZCARD', zset)
end

--[[
  The worker's one hot-path call: completes the jobs a worker finished (if any), then takes up to
  `max` jobs, atomically:
  promotes due delayed jobs, returns expired leases to waiting (or fails jobs that stalled too often),
  checks pause / global concurrency / rate limit, and moves the head of waiting into active with a
  lease deadline (Redis TIME + lease) and a fresh owner token. With max = 0 it only completes,
  promotes and reclaims (the periodic stalled check); with max = -1 it only completes.
  KEYS[1] waiting (prioritized; priority 0: the list `<prefix>wait`, _waiting.lua)   KEYS[2] delayed   KEYS[3] active   KEYS[4] marker   KEYS[5] events
  KEYS[6] meta   KEYS[7] rate limiter counter   KEYS[8] failed   KEYS[9] completed
  ARGV[1] key prefix   ARGV[2] worker id   ARGV[3] max jobs   ARGV[4] lease ms
  ARGV[5] rate limit max (0: none)   ARGV[6] rate limit window ms   ARGV[7] global concurrency (0: none)
  ARGV[8] max stalls   ARGV[9] events MAXLEN
  ARGV[10] number of finished jobs n, then per job: id, token, encoded return value
  Returns { code, hint, n, done_1..done_n, job... } with code 0 ok, 1 paused, 2 rate limited,
  3 global concurrency full; hint = ms until the earliest delayed job (-1: none) or until the rate
  window ends; done_i = 1 completed, 0 refused (the lease was lost: another worker has the job or
  will); each job = id, token, name, data, attempts, attemptsMade, backoff, timeout, createdAt,
  stalls (10 values).
  Retention "count:age" of a completed job (count -1 = keep all, 0 = delete now; age -1 = no age
  limit) trims the completed set, at most 100 jobs per completion.
  Completions and final failures are counted per minute (_throughput.lua, `<prefix>tput:<minute>`).
  Built and decoded by lib/queue/calls.ts: take().
]]
--@include "_waiting.lua"
--@include "_trim-finished.lua"
--@include "_throughput.lua"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prefix = ARGV[1]
local max = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
local rlMax = tonumber(ARGV[5])
local gc = tonumber(ARGV[7])
local maxStalls = tonumber(ARGV[8])
local maxEvents = tonumber(ARGV[9])
local nDone = tonumber(ARGV[10])

local function event(...)
  if maxEvents > 0 then redis.call('XADD', KEYS[5], 'MAXLEN', '~', maxEvents, '*', ...) end
end

-- 0. complete finished jobs this worker still owns
local doneReplies = {}
local completedNow = 0
for i = 0, nDone - 1 do
  local b = 10 + i * 3
  local id = ARGV[b + 1]
  local jk = prefix .. 'job:' .. id
  local v = redis.call('HMGET', jk, 'tok', 'roc')
  local roc = v[2] or DEFAULT_ROC
  if v[1] ~= ARGV[b + 2] or not redis.call('ZSCORE', KEYS[3], id) then
    doneReplies[#doneReplies + 1] = 0
  else
    redis.call('ZREM', KEYS[3], id)
    local sep = string.find(roc, ':', 1, true)
    local count = -1
    local age = -1
    if sep then
      count = tonumber(string.sub(roc, 1, sep - 1))
      age = tonumber(string.sub(roc, sep + 1))
    end
    if count == 0 then
      redis.call('DEL', jk)
    else
      redis.call('HINCRBY', jk, 'made', 1)
      -- A kept job holds no token (no owner) and no empty return value: bytes kept per job.
      if ARGV[b + 3] == '' then
        redis.call('HSET', jk, 'st', 'completed', 'fOn', now)
      else
        redis.call('HSET', jk, 'st', 'completed', 'fOn', now, 'ret', ARGV[b + 3])
      end
      redis.call('HDEL', jk, 'tok', 'sc')
      redis.call('ZADD', KEYS[9], now, id)
      trimFinished(KEYS[9], prefix, count, age, now)
    end
    event('ev', 'completed', 'id', id, 'ret', ARGV[b + 3])
    doneReplies[#doneReplies + 1] = 1
    completedNow = completedNow + 1
  end
end
countFinished(prefix, now, 'c', completedNow)
local function reply(code, hint, jobs)
  local out = { code, hint, nDone }
  for _, d in ipairs(doneReplies) do out[#out + 1] = d end
  if jobs then for _, v in ipairs(jobs) do out[#out + 1] = v end end
  return out
end
if max < 0 then
  -- Completions only: with a global concurrency limit a blocked worker may now run a job.
  if #doneReplies > 0 and gc > 0 and waitingCount(KEYS[1], prefix) > 0 then redis.call('ZADD', KEYS[4], 0, 'w') end
  return reply(0, -1)
end

-- 1. promote due delayed jobs (new sequence: they queue behind jobs already waiting)
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
if #due > 0 then
  for _, id in ipairs(due) do
    local jk = prefix .. 'job:' .. id
    local prio = tonumber(redis.call('HGET', jk, 'prio') or '0')
    local sc = enqueue(KEYS[1], KEYS[6], prefix, id, prio)
    if sc then redis.call('HSET', jk, 'st', 'waiting', 'sc', sc) else redis.call('HSET', jk, 'st', 'waiting') end
    redis.call('HDEL', jk, 'due')
    event('ev', 'waiting', 'id', id)
  end
  redis.call('ZREM', KEYS[2], unpack(due))
end

-- 2. expired leases: back to waiting at their old position, or failed after too many stalls
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. now, 'LIMIT', 0, 1000)
for _, id in ipairs(expired) do
  local jk = prefix .. 'job:' .. id
  redis.call('ZREM', KEYS[3], id)
  if redis.call('EXISTS', jk) == 1 then
    local stalls = redis.call('HINCRBY', jk, 'stl', 1)
    if stalls > maxStalls then
      redis.call('ZADD', KEYS[8], now, id)
      redis.call('HSET', jk, 'st', 'failed', 'tok', '', 'fOn', now,
        'err', 'job stalled more than ' .. maxStalls .. ' times', 'stack', '')
      event('ev', 'failed', 'id', id, 'err', 'stalled', 'final', '1')
      countFinished(prefix, now, 'f', 1)
    else
      requeue(KEYS[1], prefix, id, redis.call('HGET', jk, 'sc'))
      redis.call('HSET', jk, 'st', 'waiting', 'tok', '')
      event('ev', 'stalled', 'id', id)
    end
  end
end

local function nextDelay()
  local nd = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  if #nd == 0 then return -1 end
  local d = tonumber(nd[2]) - now
  if d < 0 then d = 0 end
  return d
end

if max > 0 then
  -- 3. gates
  if redis.call('HEXISTS', KEYS[6], 'paused') == 1 then return reply(1, -1) end
  if gc > 0 then
    local free = gc - redis.call('ZCARD', KEYS[3])
    if free <= 0 then return reply(3, -1) end
    if free < max then max = free end
  end
  if rlMax > 0 then
    local used = tonumber(redis.call('GET', KEYS[7]) or '0')
    if used >= rlMax then
      local ttl = redis.call('PTTL', KEYS[7])
      if ttl < 0 then
        redis.call('DEL', KEYS[7])
      else
        return reply(2, ttl)
      end
      used = 0
    end
    if rlMax - used < max then max = rlMax - used end
  end
end

-- 4. take the head of waiting
local jobs = {}
local taken = 0
if max > 0 then
  -- The list (priority 0) first, then the prioritized sorted set.
  local ids = redis.call('LPOP', waitList(prefix), max)
  if not ids then ids = {} end
  if #ids < max then
    local popped = redis.call('ZPOPMIN', KEYS[1], max - #ids)
    for i = 1, #popped, 2 do ids[#ids + 1] = popped[i] end
  end
  local deadline = now + lease
  for _, id in ipairs(ids) do
    local jk = prefix .. 'job:' .. id
    local tk = redis.call('HINCRBY', jk, 'tk', 1)
    local token = ARGV[2] .. ':' .. tk
    redis.call('HSET', jk, 'st', 'active', 'tok', token, 'pOn', now)
    redis.call('ZADD', KEYS[3], deadline, id)
    local v = redis.call('HMGET', jk, 'name', 'data', 'att', 'made', 'bo', 'to', 'ts', 'stl')
    v[3] = v[3] or '1'
    jobs[#jobs + 1] = id
    jobs[#jobs + 1] = token
    for j = 1, 8 do jobs[#jobs + 1] = v[j] or '' end
    event('ev', 'active', 'id', id)
    taken = taken + 1
  end
  if taken > 0 and rlMax > 0 then
    if redis.call('INCRBY', KEYS[7], taken) == taken then redis.call('PEXPIRE', KEYS[7], ARGV[6]) end
  end
end
-- Jobs remain and this taker is full (or completions freed global slots): wake another worker.
if (taken == max or (gc > 0 and #doneReplies > 0)) and waitingCount(KEYS[1], prefix) > 0 then redis.call('ZADD', KEYS[4], 0, 'w') end
if taken == 0 then return reply(0, nextDelay()) end
return reply(0, -1, jobs)

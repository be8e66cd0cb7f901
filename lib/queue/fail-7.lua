--[[
  Records a failed attempt of a job this worker owns: retries it (after a backoff delay) or moves it
  to failed (the dead letter set), keeping the error, stack and attempt history.
  KEYS[1] active   KEYS[2] failed   KEYS[3] delayed   KEYS[4] waiting (prioritized, _waiting.lua)   KEYS[5] events
  KEYS[6] meta   KEYS[7] marker
  ARGV[1] key prefix   ARGV[2] events MAXLEN   ARGV[3] id   ARGV[4] token   ARGV[5] error message
  ARGV[6] stack   ARGV[7] retry delay ms (-1: do not retry)   ARGV[8] history entry (JSON object)
  ARGV[9] attempts kept in the history (0: no history)
  Returns 0 not the owner, 1 will retry, 2 failed for good.
  A final failure is counted per minute (_throughput.lua, `<prefix>tput:<minute>`).
  Built and decoded by lib/queue/calls.ts: fail().
]]
--@include "_waiting.lua"
--@include "_trim-finished.lua"
--@include "_throughput.lua"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prefix = ARGV[1]
local maxEvents = tonumber(ARGV[2])
local id = ARGV[3]
local jk = prefix .. 'job:' .. id
local v = redis.call('HMGET', jk, 'tok', 'att', 'rof', 'hist', 'prio')
if v[1] ~= ARGV[4] or not redis.call('ZSCORE', KEYS[1], id) then return 0 end
redis.call('ZREM', KEYS[1], id)
local made = redis.call('HINCRBY', jk, 'made', 1)
local keep = tonumber(ARGV[9])
if keep > 0 then
  local hist = cjson.decode(v[4] or '[]')
  local entry = cjson.decode(ARGV[8])
  entry['at'] = now
  hist[#hist + 1] = entry
  while #hist > keep do table.remove(hist, 1) end
  redis.call('HSET', jk, 'tok', '', 'err', ARGV[5], 'stack', ARGV[6], 'hist', cjson.encode(hist))
else
  redis.call('HSET', jk, 'tok', '', 'err', ARGV[5], 'stack', ARGV[6])
end
local delay = tonumber(ARGV[7])
local result
if delay >= 0 and made < tonumber(v[2] or '1') then
  if delay > 0 then
    redis.call('ZADD', KEYS[3], now + delay, id)
    redis.call('HSET', jk, 'st', 'delayed', 'due', now + delay)
  else
    local sc = enqueue(KEYS[4], KEYS[6], prefix, id, tonumber(v[5] or '0'))
    if sc then redis.call('HSET', jk, 'st', 'waiting', 'sc', sc) else redis.call('HSET', jk, 'st', 'waiting') end
  end
  redis.call('ZADD', KEYS[7], 0, 'w')
  result = 1
else
  redis.call('HSET', jk, 'st', 'failed', 'fOn', now)
  redis.call('ZADD', KEYS[2], now, id)
  local rof = v[3] or DEFAULT_ROF
  local sep = string.find(rof, ':', 1, true)
  local count = -1
  local age = -1
  if sep then
    count = tonumber(string.sub(rof, 1, sep - 1))
    age = tonumber(string.sub(rof, sep + 1))
  end
  trimFinished(KEYS[2], prefix, count, age, now)
  countFinished(prefix, now, 'f', 1)
  result = 2
end
if maxEvents > 0 then
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', maxEvents, '*', 'ev', 'failed', 'id', id, 'err', ARGV[5],
    'made', made, 'final', result == 2 and '1' or '0')
end
return result

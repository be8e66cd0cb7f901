-- Claims a batch of buffered writes for one flusher. The batch moves to an in-flight hash guarded
-- by a lease; if the flusher dies, the next claim after the lease expired puts the batch back.
-- KEYS[1]  pending values (hash)   KEYS[2]  queue (list)   KEYS[3]  in-flight (hash)
-- KEYS[4]  flusher lease
-- ARGV[1]  flusher token        ARGV[2]  lease TTL (ms)       ARGV[3]  batch size
-- Returns  {0} when another flusher holds the lease, else {1, key1, value1, key2, value2, ...}
local holder = redis.call('GET', KEYS[4])
if holder and holder ~= ARGV[1] then return {0} end
if not holder then
  -- Recovery: a batch left in flight belongs to a flusher whose lease expired. A newer write of
  -- the same key wins over the old in-flight value.
  local left = redis.call('HGETALL', KEYS[3])
  for i = #left - 1, 1, -2 do
    if redis.call('HSETNX', KEYS[1], left[i], left[i + 1]) == 1 then
      redis.call('LPUSH', KEYS[2], left[i])
    end
  end
  redis.call('DEL', KEYS[3])
end
local out = {1}
for _ = 1, tonumber(ARGV[3]) do
  local k = redis.call('LPOP', KEYS[2])
  if not k then break end
  local v = redis.call('HGET', KEYS[1], k)
  if v then
    redis.call('HDEL', KEYS[1], k)
    redis.call('HSET', KEYS[3], k, v)
    out[#out + 1] = k
    out[#out + 1] = v
  end
end
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[2])
elseif not holder then
  redis.call('DEL', KEYS[4])
end
return out

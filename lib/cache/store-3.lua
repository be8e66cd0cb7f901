-- Stores a fetched value unless the key was invalidated while the fetcher ran (stale-set guard),
-- releases the caller's lease and wakes the waiters, all at once.
-- KEYS[1]  entry key            KEYS[2]  generation key       KEYS[3]  lease key
-- ARGV[1]  generation read before fetching ('' = none: never store)
-- ARGV[2]  lease token ('' = no lease to release)
-- ARGV[3]  encoded value (codec payload)
-- ARGV[4]  fresh TTL (ms)       ARGV[5]  extra stale window kept after it (ms)
-- ARGV[6]  fetch duration (ms, for probabilistic early refresh)
-- ARGV[7]  tags blob            ARGV[8]  fill channel         ARGV[9]  cache key (message)
-- ARGV[10] generation slack (ms kept beyond the entry's life)
-- ARGV[11] '1' = on refusal leave '!pass' in the lease so waiters stop waiting (route cache)
-- Returns  {stored (1|0), redis time (ms)}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[4])
local life = ttl + tonumber(ARGV[5])
local stored = 0
local g = redis.call('GET', KEYS[2])
if ARGV[1] ~= '' and g == ARGV[1] and ttl > 0 then
  local header = (now + ttl) .. ',' .. ARGV[6] .. ',' .. now .. ',' .. #ARGV[7] .. ';'
  redis.call('SET', KEYS[1], header .. ARGV[7] .. ARGV[3], 'PX', life)
  redis.call('PEXPIRE', KEYS[2], life + tonumber(ARGV[10]))
  stored = 1
end
if ARGV[2] ~= '' and redis.call('GET', KEYS[3]) == ARGV[2] then
  if stored == 0 and ARGV[11] == '1' then
    redis.call('SET', KEYS[3], '!pass', 'PX', 1000)
  else
    redis.call('DEL', KEYS[3])
  end
end
redis.call('PUBLISH', ARGV[8], ARGV[9])
return {stored, now}

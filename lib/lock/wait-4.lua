-- A waiting acquirer's attempt (single Redis or Cluster; the Redlock quorum mode does not queue):
-- takes the lock if it is free; reports it as ours if a release already handed it to us (its
-- message may still be on its way, or was lost with a subscriber reconnect); otherwise joins the
-- line (or refreshes our place in it) and marks the holder's value, so that its release hands the
-- lock to the head of the line (release-4.lua).
-- KEYS[1] the lock key, KEYS[2] the fencing counter, KEYS[3] the line, KEYS[4] the waiters (as in
--   release-4.lua; one hash tag)
-- ARGV[1] the waiter's token (the same for its whole wait)
-- ARGV[2] the lease TTL in ms
-- ARGV[3] '1': issue a fencing token; '0': unfenced
-- ARGV[4] how long (ms) our entry stays alive without a refresh: a waiter that stopped refreshing
--   (crashed) is skipped rather than handed the lock
-- ARGV[5] the waiter's Locker id: a handoff is published on that Locker's own channel
-- Returns {1, fencing token or 0, remaining TTL of our lock in ms} when the lock is ours, or
--   {0, remaining TTL of the holder in ms (0: unknown), Redis TIME in µs} when we are in line.
--@include "_fence.lua"
local token = ARGV[1]
local ttl = tonumber(ARGV[2])
local v = redis.call('GET', KEYS[1])
if v == token or v == token .. '+' then
  local fence = 0
  if ARGV[3] == '1' then fence = tonumber(redis.call('GET', KEYS[2]) or '0') end
  return {1, fence, redis.call('PTTL', KEYS[1])}
end
if not v then
  -- Free (expired, force-released, or nobody alive was in line): take it, leaving the line.
  redis.call('ZREM', KEYS[3], token)
  redis.call('HDEL', KEYS[4], token)
  local value = token
  if redis.call('ZCARD', KEYS[3]) > 0 then value = token .. '+' end
  redis.call('SET', KEYS[1], value, 'PX', ttl)
  local fence = 0
  if ARGV[3] == '1' then fence = issueFence(KEYS[2], ttl) end
  return {1, fence, ttl}
end
if string.byte(v, -1) ~= 43 then redis.call('APPEND', KEYS[1], '+') end
local nowUs = fenceClock()
local life = tonumber(ARGV[4])
-- NX: a refresh keeps our place in line.
redis.call('ZADD', KEYS[3], 'NX', nowUs, token)
redis.call('HSET', KEYS[4], token, string.format('%.0f %d %s %s', math.floor(nowUs / 1000) + life, ttl, ARGV[3], ARGV[5]))
-- The line lives as long as its freshest entry could.
if redis.call('PTTL', KEYS[3]) < life then redis.call('PEXPIRE', KEYS[3], life) end
if redis.call('PTTL', KEYS[4]) < life then redis.call('PEXPIRE', KEYS[4], life) end
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then pttl = 0 end
return {0, pttl, nowUs}

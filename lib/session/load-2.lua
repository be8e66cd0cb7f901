--[[ load: reads one session in one round trip, enforcing both timeouts on the server.
  KEYS[1]  the session hash
  KEYS[2]  the user index of the session's hash tag (a sorted set: session id -> expiry ms)
  ARGV[1]  session id (the member in KEYS[2])
  ARGV[2]  idle ttl ms; '0' when the session is not rolling (its expiry never slides)
  ARGV[3]  touch interval ms: the idle expiry is pushed back at most once per interval
  Returns  false when the session does not exist or has passed its absolute deadline (it is
           then deleted and unindexed), else { now, field1, value1, ... } (now = Redis TIME in ms)
]]
local meta = redis.call('HMGET', KEYS[1], '#x', '#s', '#u')
if not meta[1] then return false end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local deadline = tonumber(meta[1])
if now >= deadline then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return false
end
local idle = tonumber(ARGV[2])
if idle > 0 and now - tonumber(meta[2] or 0) >= tonumber(ARGV[3]) then
  local ttl = math.min(idle, deadline - now)
  redis.call('HSET', KEYS[1], '#s', now)
  redis.call('PEXPIRE', KEYS[1], ttl)
  if meta[3] then
    redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
    if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
  end
end
local all = redis.call('HGETALL', KEYS[1])
table.insert(all, 1, now)
return all

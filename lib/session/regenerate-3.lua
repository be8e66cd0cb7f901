--[[ regenerate: moves a session to a new id, keeping its data, and kills the old id in the same
  step (session fixation defence). Both ids share one hash tag, so this is atomic on Cluster too.
  KEYS[1]  the old session hash
  KEYS[2]  the new session hash
  KEYS[3]  the user index of the tag (a sorted set: session id -> expiry ms)
  ARGV[1]  old session id
  ARGV[2]  new session id
  ARGV[3]  '0' to leave the user index alone (the store's userIndex: false)
  Returns  -1 when the old session is gone; -2 when the new id is taken;
           else { now, field1, value1, ... } of the session under its new id
]]
local meta = redis.call('HMGET', KEYS[1], '#x', '#u')
if not meta[1] then return -1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now >= tonumber(meta[1]) then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return -1
end
if redis.call('EXISTS', KEYS[2]) == 1 then return -2 end
-- RENAME keeps the remaining TTL: regenerating never extends a session.
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[2], '#s', now)
redis.call('ZREM', KEYS[3], ARGV[1])
if meta[2] and ARGV[3] ~= '0' then
  local ttl = redis.call('PTTL', KEYS[2])
  redis.call('ZADD', KEYS[3], now + ttl, ARGV[2])
end
local all = redis.call('HGETALL', KEYS[2])
table.insert(all, 1, now)
return all

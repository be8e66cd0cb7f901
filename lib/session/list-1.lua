--[[ list: prunes the expired entries of a user index and returns the live ones.
  KEYS[1]  the user index (a sorted set: session id -> expiry ms)
  Returns  { id1, expiresAt1, id2, expiresAt2, ... } ordered by expiry
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')

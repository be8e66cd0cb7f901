-- Helpers of the one-policy fast paths (included after _preamble.lua).
-- The reply of an allowed, counted request of a one-policy rule (the hot path): one integer,
-- remaining * 2^23 + resetMs, instead of a five-element array (cheaper to build here, on the wire
-- and in the client). remaining < 2^30 (limits are at most 1e9), so it is exact below 2^53; a
-- resetMs of 2^23 (2.3 hours) or more gets the array.
local function packed(rem, reset_ms)
  if reset_ms >= 8388608 then return { 1, 1, rem, reset_ms, 0 } end
  return rem * 8388608 + reset_ms
end

-- Extra TTL given when a key's TTL is moved (an eighth of the needed TTL, at most a minute), so
-- a busy key moves it rarely instead of on every request.
local function ttl_slack(ms)
  local s = math.ceil(ms / 8)
  if s > 60000 then s = 60000 end
  return s
end

-- The absolute expiry of `key` in ms (negative: none, or no key). PEXPIRETIME on Redis >= 7.0;
-- on 6.2 derived from PTTL and `now` (us), which may read one ms early.
local function expire_at(key, now)
  if redis.REDIS_VERSION_NUM ~= nil then return redis.call('PEXPIRETIME', key) end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then return ttl end
  return math.floor(now / 1000) + ttl
end

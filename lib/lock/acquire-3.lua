-- Takes the lock if it is free and issues the next fencing token, in one atomic step; if it is
-- held, marks the lock as waited for, so that its release notifies.
-- KEYS[1] the lock key (holds the owner's token, expires after the lease TTL)
-- KEYS[2] the fencing counter of the resource (same hash tag; never expires, so tokens only grow)
-- KEYS[3] the "someone is waiting" flag of the lock (same hash tag; set here when the lock is
--   held, deleted by the release that then PUBLISHes; expires after the holder's PTTL + ARGV[2],
--   by which time a waiter has re-checked on its own and set it again)
-- ARGV[1] the owner's random token
-- ARGV[2] the lease TTL in ms
-- Returns the new fencing token (an integer >= 1) when the lock was taken, or else
--   -(remaining TTL of the current holder in ms) - 1: always <= -1, and -1 - (-1) = 0 means the
--   holder set no expiry (PTTL -1), which callers treat as "unknown".
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then pttl = 0 end
redis.call('SET', KEYS[3], '1', 'PX', pttl + tonumber(ARGV[2]))
return -pttl - 1

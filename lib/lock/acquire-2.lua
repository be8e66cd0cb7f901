-- Takes the lock if it is free and issues the next fencing token, in one atomic step; if it is
-- held, marks the holder's value as waited for (a trailing '+'), so that its release notifies.
-- The mark lives and dies with the lock key itself: no extra key, no extra work for a release
-- nobody waits for.
-- KEYS[1] the lock key (holds the owner's token, expires after the lease TTL)
-- KEYS[2] the resource's last fencing token (same hash tag; expires the lease TTL after the
--   server's clock passes it, see _fence.lua)
-- ARGV[1] the owner's random token (base64url: never contains '+')
-- ARGV[2] the lease TTL in ms
-- Returns the new fencing token (max(last token + 1, TIME in µs): an integer above 1e15, strictly
--   greater than every earlier token of the resource) when the lock was taken, or else
--   -(remaining TTL of the current holder in ms) - 1: always <= -1, and -1 - (-1) = 0 means the
--   holder set no expiry (PTTL -1), which callers treat as "unknown".
--@include "_fence.lua"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return issueFence(KEYS[2], tonumber(ARGV[2]))
end
local holder = redis.call('GET', KEYS[1])
-- APPEND keeps the key's TTL; one mark is enough however many waiters there are.
if holder and string.byte(holder, -1) ~= 43 then redis.call('APPEND', KEYS[1], '+') end
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then pttl = 0 end
return -pttl - 1

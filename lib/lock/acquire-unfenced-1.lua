-- acquire-2.lua without the fencing token: takes the lock if it is free; if it is held, marks
-- the holder's value as waited for (a trailing '+'), so that its release notifies. Used by an
-- unfenced acquire once its plain SET NX PX found the lock held (the uncontended path needs no
-- script), and by its retries while it waits.
-- KEYS[1] the lock key (holds the owner's token, expires after the lease TTL)
-- ARGV[1] the owner's random token (base64url: never contains '+')
-- ARGV[2] the lease TTL in ms
-- Returns 0 when the lock was taken, or else -(remaining TTL of the current holder in ms) - 1
--   (always <= -1; -1 means unknown), as acquire-2.lua does.
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
local holder = redis.call('GET', KEYS[1])
if holder and string.byte(holder, -1) ~= 43 then redis.call('APPEND', KEYS[1], '+') end
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then pttl = 0 end
return -pttl - 1

-- Issues a code for a subject unless its resend cooldown is running, in one atomic step: two
-- concurrent requests for one subject cannot both pass the cooldown check and both send a code.
-- A new code replaces the subject's previous one (and its attempt count) entirely.
-- KEYS[1] the subject's code: one string, the code's digest (43 characters) followed by the wrong
--   attempts left, e.g. "<digest>5" (see verify-1.lua); it expires with the code (PX: Redis drops
--   it at the exact ms, which is the expiry check of verify). One string, not a hash: smaller, and
--   read with a GET, the cheapest read a verify can make.
-- KEYS[2] the subject's resend cooldown (a plain key that only lives for the cooldown)
-- ARGV[1] the code's digest (HMAC-SHA256, base64url, 43 characters)
-- ARGV[2] the wrong attempts allowed
-- ARGV[3] the code's TTL in ms
-- ARGV[4] the resend cooldown in ms (0: none)
-- Returns {1, expiresAt (Redis time, ms since the epoch)} when issued, or {0, cooldown left in ms}.
local wait = redis.call('PTTL', KEYS[2])
if wait > 0 then return {0, wait} end
redis.call('SET', KEYS[1], ARGV[1] .. ARGV[2], 'PX', ARGV[3])
local cooldown = tonumber(ARGV[4])
if cooldown > 0 then redis.call('SET', KEYS[2], '1', 'PX', cooldown) end
local t = redis.call('TIME')
return {1, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[3])}

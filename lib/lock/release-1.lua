-- Deletes the lock only if the caller still owns it, and tells waiters it is free.
-- KEYS[1] the lock key: the owner's token, plus a trailing '+' once a failed acquire marked it
-- ARGV[1] the owner's token
-- ARGV[2] the release channel (PUBLISHed only when the lock was marked: an uncontended release
--   sends nothing, and a waiter, having failed its attempt after subscribing, is always notified)
-- Returns 1 when released, 0 when the lock is absent or held by another token.
local v = redis.call('GET', KEYS[1])
if v ~= ARGV[1] and v ~= ARGV[1] .. '+' then return 0 end
redis.call('DEL', KEYS[1])
if v ~= ARGV[1] then redis.call('PUBLISH', ARGV[2], KEYS[1]) end
return 1

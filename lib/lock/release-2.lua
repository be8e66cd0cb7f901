-- Deletes the lock only if the caller still owns it, and tells waiters it is free.
-- KEYS[1] the lock key
-- KEYS[2] the lock's "someone is waiting" flag (same hash tag; set by a failed acquire)
-- ARGV[1] the owner's token
-- ARGV[2] the release channel (PUBLISHed from here when the flag was set: an uncontended release
--   sends nothing, and a waiter, having failed its attempt after subscribing, is always notified)
-- Returns 1 when released, 0 when the lock is absent or held by another token.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  if redis.call('DEL', KEYS[2]) == 1 then
    redis.call('PUBLISH', ARGV[2], KEYS[1])
  end
  return 1
end
return 0

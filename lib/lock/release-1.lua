-- Deletes the lock only if the caller still owns it, and tells waiters it is free.
-- KEYS[1] the lock key
-- ARGV[1] the owner's token
-- ARGV[2] the release channel (PUBLISHed from here, so every successful release notifies)
-- Returns 1 when released, 0 when the lock is absent or held by another token.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], KEYS[1])
  return 1
end
return 0

-- Sets a new TTL on the lock only if the caller still owns it.
-- KEYS[1] the lock key
-- ARGV[1] the owner's token
-- ARGV[2] the new TTL in ms, counted from now
-- Returns 1 when extended, 0 when the lock is absent or held by another token.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0

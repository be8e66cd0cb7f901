-- Sets a new TTL on the lock only if the caller still owns it.
-- KEYS[1] the lock key (the owner's token, with a trailing '+' when a waiter marked it)
-- ARGV[1] the owner's token
-- ARGV[2] the new TTL in ms, counted from now
-- Returns 1 when extended, 0 when the lock is absent or held by another token.
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or v == ARGV[1] .. '+' then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0

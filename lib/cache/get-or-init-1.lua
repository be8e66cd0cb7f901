-- Reads a version (a tag's version, or a key's generation) before a fetch or an origin write,
-- creating it when missing. Versions are created with a random value: one that was evicted or
-- expired and is re-created never equals what an older reader saw, so the older reader's store
-- is refused or its entry judged invalid (the safe side). That is what lets tag versions expire:
-- each write with a tag pushes the tag's expiry past the entry's whole life (ARGV[3]), so a tag
-- key outlives every entry that names it, and a tag nobody writes any more leaves Redis.
-- KEYS[1]  version key
-- ARGV[1]  initial value (random integer)   ARGV[2]  TTL in ms for a created key ('' = none)
-- ARGV[3]  '1': also push an existing key's expiry to ARGV[2] ms from now when that is later
--          (PEXPIRE GT: never shortened; a key kept without expiry by an older version stays so)
-- Returns  the current value (string)
local v = redis.call('GET', KEYS[1])
if not v then
  v = ARGV[1]
  if ARGV[2] ~= '' then
    redis.call('SET', KEYS[1], v, 'PX', ARGV[2])
  else
    redis.call('SET', KEYS[1], v)
  end
elseif ARGV[3] == '1' then
  redis.call('PEXPIRE', KEYS[1], ARGV[2], 'GT')
end
return v

-- Reads a version (a tag's version, or a key's generation) before a fetch or an origin write,
-- creating it when missing. Versions are created with a random value: one that was evicted or
-- expired and is re-created never equals what an older reader saw, so the older reader's store
-- is refused or its entry judged invalid (the safe side).
-- KEYS[1]  version key
-- ARGV[1]  initial value (random integer)   ARGV[2]  TTL in ms for a created key ('' = none)
-- Returns  the current value (string)
local v = redis.call('GET', KEYS[1])
if not v then
  v = ARGV[1]
  if ARGV[2] ~= '' then
    redis.call('SET', KEYS[1], v, 'PX', ARGV[2])
  else
    redis.call('SET', KEYS[1], v)
  end
end
return v

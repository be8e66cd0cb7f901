-- The uncontended release: deletes the lock if the caller owns it and nobody marked it as waited
-- for. One key, so the common release costs what a plain compare-and-delete costs; a marked lock
-- (someone waits: in line, or retrying in the quorum mode) is left to release-4.lua, which hands
-- it over.
-- KEYS[1] the lock key: the owner's token, plus a trailing '+' once someone waits for it
-- ARGV[1] the owner's token
-- Returns 1 when released, 2 when the caller owns it but it is marked (nothing done: release it
--   with release-4.lua), 0 when the lock is absent or held by another token.
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
if v == ARGV[1] .. '+' then return 2 end
return 0

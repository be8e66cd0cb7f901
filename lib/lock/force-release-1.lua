-- Deletes a lock whoever holds it (an operator's force-release), and tells waiters it is free
-- when the holder's value carries the waited-for mark, as release-4.lua does with nobody alive in
-- line (waiters in line listen for it too, and re-check): atomic, so a lock taken again between
-- the read and the delete is never the one deleted without its waiters told.
-- KEYS[1] the lock key (the owner's token, plus a trailing '+' once a failed acquire marked it)
-- ARGV[1] the release channel
-- Returns 1 when a lock was deleted, 0 when none was held.
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
redis.call('DEL', KEYS[1])
if string.byte(v, -1) == 43 then redis.call('PUBLISH', ARGV[1], KEYS[1]) end
return 1

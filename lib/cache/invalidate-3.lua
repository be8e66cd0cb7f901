-- Invalidates one key: deletes the entry and the lease, bumps the generation (so a fetch in
-- flight cannot store its now stale result), and broadcasts, in one atomic step: either peers
-- hear about it or nothing happened.
-- KEYS[1]  entry key            KEYS[2]  generation key       KEYS[3]  lease key
-- ARGV[1]  bus channel ('' = do not broadcast)                ARGV[2]  bus message
-- ARGV[3]  fill channel         ARGV[4]  cache key
-- Returns  1 when an entry was deleted, else 0
local existed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[3])
-- A missing generation needs no bump: a fetch that read one can no longer match it.
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('INCR', KEYS[2]) end
if ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
-- Waiters of the old lease re-check at once, and one of them fetches fresh data.
redis.call('PUBLISH', ARGV[3], ARGV[4])
return existed

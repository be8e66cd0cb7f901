-- Counts the users active on any of several days (a week's or a month's actives): BITOP OR of the
-- day bitmaps into a cache key, then BITCOUNT, in one step, so concurrent callers never read a
-- half-written union and a cached union is reused until it expires.
-- KEYS[1] the union's cache key (same hash tag as the days; expires after ARGV[1] ms)
-- KEYS[2..n] the day bitmaps (missing days count as empty)
-- ARGV[1] how long the union is cached, ms (0: not kept)
-- Returns the number of users active on at least one of the days.
local ttl = tonumber(ARGV[1])
if ttl > 0 and redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('BITCOUNT', KEYS[1]) end
local days = {}
for i = 2, #KEYS do days[#days + 1] = KEYS[i] end
-- BITOP stores nothing when every source is missing (the destination is deleted).
redis.call('BITOP', 'OR', KEYS[1], unpack(days))
local n = redis.call('BITCOUNT', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('DEL', KEYS[1]) end
return n

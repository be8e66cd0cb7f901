-- Retention between two days: how many users of the first day came back on the second. BITOP
-- AND into a scratch key, BITCOUNT, and the scratch key deleted again, in one step (nothing is
-- left behind, and concurrent calls cannot share the scratch key).
-- KEYS[1] the first day's bitmap (the cohort)
-- KEYS[2] the second day's bitmap
-- KEYS[3] a scratch key (same hash tag), deleted before the script returns
-- Returns {users active on the first day, users active on both}.
local cohort = redis.call('BITCOUNT', KEYS[1])
if cohort == 0 then return {0, 0} end
redis.call('BITOP', 'AND', KEYS[3], KEYS[1], KEYS[2])
local both = redis.call('BITCOUNT', KEYS[3])
redis.call('DEL', KEYS[3])
return {cohort, both}

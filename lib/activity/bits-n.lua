-- One user's bit on each of several days, for a streak: one round trip whatever the retention.
-- Read-only.
-- KEYS[1..n] the day bitmaps, newest first
-- ARGV[1] the user's bit offset (the user id)
-- Returns a string of n characters, '1' where the user was active.
local bits = {}
for i = 1, #KEYS do bits[i] = redis.call('GETBIT', KEYS[i], ARGV[1]) end
return table.concat(bits)

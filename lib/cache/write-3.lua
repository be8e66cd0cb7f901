-- Writes a value directly (set / write-through): the write wins over every fetch in flight, and
-- peers drop their L1 copy. With a generation to check (write-through), a concurrent
-- invalidation wins instead: the entry is deleted, because the order of the two is unknown.
-- KEYS[1]  entry key            KEYS[2]  generation key       KEYS[3]  lease key (unused, slot)
-- ARGV[1]  generation read before the origin write ('' = unconditional)
-- ARGV[2]  encoded value        ARGV[3]  fresh TTL (ms)       ARGV[4]  extra stale window (ms)
-- ARGV[5]  tags blob            ARGV[6]  bus channel          ARGV[7]  bus message
-- ARGV[8]  new generation (random integer)                    ARGV[9]  generation slack (ms)
-- ARGV[10] fill channel         ARGV[11] cache key
-- Returns  {written (1|0), redis time (ms)}
-- Five commands (every redis.call costs about as much as the work it does, issue 22): the
-- generation is replaced and read back by one SET .. GET instead of GET, then INCR or SET, then
-- PEXPIRE.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
local life = ttl + tonumber(ARGV[4])
-- Replace the generation: fetches (and write-throughs) that read it before this write can no
-- longer store over it. The new value is random, not INCR'd: it differs from the old one (checked
-- below) and, like a generation created by read-or-lease, repeats an earlier one with odds 2^-47.
local g = redis.call('SET', KEYS[2], ARGV[8], 'PX', math.max(1, life + tonumber(ARGV[9])), 'GET')
if g == ARGV[8] then redis.call('INCR', KEYS[2]) end
local written = 0
if (ARGV[1] == '' or g == ARGV[1]) and ttl > 0 then
  local header = (now + ttl) .. ',0,' .. now .. ',' .. #ARGV[5] .. ';'
  redis.call('SET', KEYS[1], header .. ARGV[5] .. ARGV[2], 'PX', life)
  written = 1
else
  redis.call('DEL', KEYS[1])
end
redis.call('PUBLISH', ARGV[6], ARGV[7])
redis.call('PUBLISH', ARGV[10], ARGV[11])
return {written, now}

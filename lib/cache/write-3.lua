-- Writes a value directly (set / write-through): the write wins over every fetch in flight, and
-- peers drop their L1 copy. With a generation to check (write-through), a concurrent
-- invalidation wins instead: the entry is deleted, because the order of the two is unknown.
-- KEYS[1]  entry key            KEYS[2]  generation key       KEYS[3]  lease key (unused, slot)
-- ARGV[1]  generation read before the origin write ('' = unconditional)
-- ARGV[2]  encoded value        ARGV[3]  fresh TTL (ms)       ARGV[4]  extra stale window (ms)
-- ARGV[5]  tags blob            ARGV[6]  bus channel          ARGV[7]  bus message
-- ARGV[8]  initial generation (random integer)                ARGV[9]  generation slack (ms)
-- ARGV[10] fill channel         ARGV[11] cache key
-- Returns  {written (1|0), redis time (ms)}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
local life = ttl + tonumber(ARGV[4])
local g = redis.call('GET', KEYS[2])
local written = 0
if (ARGV[1] == '' or g == ARGV[1]) and ttl > 0 then
  local header = (now + ttl) .. ',0,' .. now .. ',' .. #ARGV[5] .. ';'
  redis.call('SET', KEYS[1], header .. ARGV[5] .. ARGV[2], 'PX', life)
  written = 1
else
  redis.call('DEL', KEYS[1])
end
-- Bump the generation: fetches that started before this write can no longer store over it.
if g then redis.call('INCR', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[8]) end
redis.call('PEXPIRE', KEYS[2], life + tonumber(ARGV[9]))
redis.call('PUBLISH', ARGV[6], ARGV[7])
redis.call('PUBLISH', ARGV[10], ARGV[11])
return {written, now}

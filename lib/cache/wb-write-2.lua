-- Buffers one write-behind write: the latest value per key wins, and the key is queued once.
-- KEYS[1]  pending values (hash key -> encoded value)        KEYS[2]  queue of pending keys (list)
-- ARGV[1]  key                  ARGV[2]  encoded value
-- Returns  the number of keys waiting to be flushed
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
end
return redis.call('LLEN', KEYS[2])

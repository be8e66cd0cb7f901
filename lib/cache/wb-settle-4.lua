-- Settles a claimed batch: on success drops it from the in-flight hash; on failure puts it back
-- in the queue (unless a newer write of the key is already pending: the newer value wins).
-- KEYS[1]  pending values (hash)   KEYS[2]  queue (list)   KEYS[3]  in-flight (hash)
-- KEYS[4]  flusher lease
-- ARGV[1]  flusher token        ARGV[2]  'ack' or 'requeue'   ARGV[3..]  keys of the batch
-- Returns  1, or 0 when the lease was lost (another flusher recovered the batch)
if redis.call('GET', KEYS[4]) ~= ARGV[1] then return 0 end
for i = 3, #ARGV do
  local k = ARGV[i]
  if ARGV[2] == 'requeue' then
    local v = redis.call('HGET', KEYS[3], k)
    if v and redis.call('HSETNX', KEYS[1], k, v) == 1 then redis.call('RPUSH', KEYS[2], k) end
  end
  redis.call('HDEL', KEYS[3], k)
end
if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('DEL', KEYS[4]) end
return 1

-- Reads a cache entry, or takes the fill lease when there is nothing to serve (one round trip).
-- KEYS[1]  entry key            KEYS[2]  generation key       KEYS[3]  lease key
-- ARGV[1]  lease token          ARGV[2]  lease TTL (ms)
-- ARGV[3]  initial generation (random integer, used only when the generation key is missing)
-- ARGV[4]  generation TTL (ms)
-- ARGV[5]  '0' = serve an existing entry; '1' = ignore it (refresh / unusable entry); otherwise
--          ignore the entry only while it starts with ARGV[5] (the header of the unusable entry
--          seen before waiting: a waiter takes a new fill, never that entry again)
-- Returns  {1, entry}           the entry exists and is not ignored
--          {2, generation}      the lease is ours: fetch, then store with this generation
--          {3, generation, ms, seen}  another caller holds the lease for ms more: wait for its
--                               fill. With ARGV[5] = '1', seen is the ignored entry's header
--                               ('' when there is no entry, '1' when it has no header)
--          {4, generation}      the last holder produced an uncacheable result: do not wait
local skip = ARGV[5]
if skip ~= '1' then
  local v = redis.call('GET', KEYS[1])
  if v and (skip == '0' or string.sub(v, 1, #skip) ~= skip) then return {1, v} end
end
-- A generation is created with a random value so that one which expired and was re-created can
-- never equal the value an in-flight fetch read before (its store is then refused: the safe side).
local g = redis.call('GET', KEYS[2])
if not g then
  g = ARGV[3]
  redis.call('SET', KEYS[2], g, 'PX', ARGV[4])
end
local l = redis.call('GET', KEYS[3])
if not l then
  redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
  return {2, g}
end
if l == '!pass' then return {4, g} end
local seen = ''
if skip == '1' then
  local v = redis.call('GET', KEYS[1])
  if v then seen = string.match(v, '^%d+,%d+,%d+,%d+;') or '1' end
end
return {3, g, redis.call('PTTL', KEYS[3]), seen}

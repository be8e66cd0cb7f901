-- Releases the lock if the caller owns it, and hands it straight to the first waiter in line that
-- is still alive (direct handoff: the waiter owns the lock when the message reaches it, with no
-- acquire round trip of its own); with nobody alive in line, deletes it and tells waiters it is
-- free. With ARGV[2] = '1' the caller is leaving the line (it gave up waiting): its entry goes,
-- and if the lock was handed to it meanwhile, it is passed on the same way.
-- KEYS[1] the lock key '<prefix>:lock:{<name>}': the owner's token, plus a trailing '+' once
--   someone waits for it
-- KEYS[2] the resource's last fencing token (see _fence.lua)
-- KEYS[3] the line: a sorted set of waiters' tokens, scored by the µs they joined (first come,
--   first served; kept while they refresh)
-- KEYS[4] the waiters: a hash token -> '<alive until, Redis ms> <lease TTL ms> <1: fenced, 0: not>
--   <waiter's Locker id>' (the id is absent in entries written by builds before it)
-- ARGV[1] the owner's token (a release of an unmarked lock normally goes to the one-key
--   release-unmarked-1.lua instead; this script handles it too)
-- ARGV[2] (optional) '1': the caller leaves the line; '0' or absent: a release
-- ARGV[3] (optional) a fencing floor: the highest token the releasing Locker issued itself to
--   leases it reused without Redis (the `burst` option); the counter is raised to it first, so
--   every later token is higher. ARGV[4] the lease TTL in ms, the counter's life past the floor
-- Publishes on the release channel '<prefix>:lock:released', derived from KEYS[1] (the part
--   before ':{'): a handoff publishes '<waiter token> <fencing token or 0> <Redis TIME, µs>' on the
--   waiter's own channel, the release channel .. ':' .. <its Locker id> (the release channel
--   itself for an entry without an id), so only the process handed the lock wakes; a plain release
--   publishes the lock key on the release channel (waiters not in line re-check).
-- Returns 2 when the lock was handed to a waiter, 1 when released (deleted), 0 when the lock is
--   absent or held by another token.
--@include "_fence.lua"
local token = ARGV[1]
if ARGV[2] == '1' then
  redis.call('ZREM', KEYS[3], token)
  redis.call('HDEL', KEYS[4], token)
end
local v = redis.call('GET', KEYS[1])
local marked = v ~= token
if marked and v ~= token .. '+' then return 0 end
-- Redis TIME, read once: by the floor, and by the handoff below.
local nowUs
if ARGV[3] then
  local floor = tonumber(ARGV[3])
  if floor > tonumber(redis.call('GET', KEYS[2]) or '0') then
    nowUs = fenceClock()
    storeFence(KEYS[2], floor, nowUs, tonumber(ARGV[4]))
  end
end
-- Unmarked: nobody asked for it since it was taken, so nobody is in line. The uncontended path.
if not marked then
  redis.call('DEL', KEYS[1])
  return 1
end
local channel = string.match(KEYS[1], '^(.-):{') .. ':released'
nowUs = nowUs or fenceClock()
local nowMs = math.floor(nowUs / 1000)
-- Entries whose waiter stopped refreshing (crashed, cut off) are dropped on the way; bounded, so
-- a release never loops long: past the bound, everyone is woken to re-check instead.
for _ = 1, 50 do
  local head = redis.call('ZPOPMIN', KEYS[3])[1]
  if not head then break end
  local entry = redis.call('HGET', KEYS[4], head)
  redis.call('HDEL', KEYS[4], head)
  if entry then
    local alive, ttl, fenced, id = string.match(entry, '^(%d+) (%d+) (%d) ?(%S*)$')
    if tonumber(alive) > nowMs then
      ttl = tonumber(ttl)
      -- Marked again while others remain in line, so the next release hands over too.
      local value = head
      if redis.call('ZCARD', KEYS[3]) > 0 then value = head .. '+' end
      redis.call('SET', KEYS[1], value, 'PX', ttl)
      local fence = 0
      if fenced == '1' then fence = issueFence(KEYS[2], ttl) end
      if id ~= '' then channel = channel .. ':' .. id end
      redis.call('PUBLISH', channel, string.format('%s %.0f %.0f', head, fence, nowUs))
      return 2
    end
  end
end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', channel, KEYS[1])
return 1

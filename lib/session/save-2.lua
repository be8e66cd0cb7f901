--[[ save: writes only the fields a request changed, creating the session or updating it.
  The common update (values set, nothing deleted, no touch due) runs update-1.lua instead.
  An update refuses to run on a session that no longer exists, so a destroyed, expired or
  regenerated session is never resurrected by a slower concurrent request.
  KEYS[1]  the session hash
  KEYS[2]  the user index of the session's hash tag (a sorted set: session id -> expiry ms)
  ARGV[1]  mode: 'n' create (the id must be unused) | 'u' update (the session must exist)
  ARGV[2]  session id (the member in KEYS[2])
  ARGV[3]  idle ttl ms
  ARGV[4]  absolute ttl ms, counted from creation (create only)
  ARGV[5]  update only: '1' to refresh lastSeenAt, the idle expiry and the index score (rolling
           sessions, at most once per touch interval), '0' to leave them
  ARGV[6]  create: user id to index the session under ('' for none; the caller also passes it
           as the '#u' field); update: '0' to leave the user index alone (the store's
           userIndex: false), anything else to keep the session's entry fresh
  ARGV[7]  N, the number of field/value pairs that follow
  ARGV[8 .. 7+2N]      field, value pairs to set
  ARGV[8+2N ..]        fields to delete
  Returns  now (Redis TIME in ms) on success; -1 when the session is gone; -2 when a create
           finds the id taken
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local key, idx, id = KEYS[1], KEYS[2], ARGV[2]
local idle = tonumber(ARGV[3])
local n = tonumber(ARGV[7])
local first, last = 8, 7 + 2 * n

-- Writes the pairs in chunks (Lua's unpack has a limit); the first HSET also carries the
-- metadata fields given, so a small save is one HSET.
local function setPairs (head)
  local j = math.min(first + 199, last)
  local args = { key }
  for k = 1, #head do args[#args + 1] = head[k] end
  for k = first, j do args[#args + 1] = ARGV[k] end
  redis.call('HSET', unpack(args))
  local i = j + 1
  while i <= last do
    j = math.min(i + 199, last)
    redis.call('HSET', key, unpack(ARGV, i, j))
    i = j + 1
  end
end

local function index (user, expiresAt, ttl)
  if not user then return end
  redis.call('ZADD', idx, expiresAt, id)
  redis.call('ZREMRANGEBYSCORE', idx, '-inf', now)
  if redis.call('PTTL', idx) < ttl then redis.call('PEXPIRE', idx, ttl) end
end

if ARGV[1] == 'n' then
  if redis.call('EXISTS', key) == 1 then return -2 end
  local deadline = now + tonumber(ARGV[4])
  local user = nil
  if ARGV[6] ~= '' then user = ARGV[6] end
  setPairs({ '#c', now, '#s', now, '#x', deadline })
  local ttl = math.min(idle, deadline - now)
  redis.call('PEXPIRE', key, ttl)
  index(user, now + ttl, ttl)
  return now
end

local meta = redis.call('HMGET', key, '#x', '#u')
if not meta[1] then return -1 end
local deadline = tonumber(meta[1])
if now >= deadline then
  redis.call('DEL', key)
  redis.call('ZREM', idx, id)
  return -1
end
local refresh = ARGV[5] == '1'
if refresh then setPairs({ '#s', now }) elseif n > 0 then setPairs({}) end
local d = last + 1
while d <= #ARGV do
  local e = math.min(d + 199, #ARGV)
  redis.call('HDEL', key, unpack(ARGV, d, e))
  d = e + 1
end
if refresh then
  local ttl = math.min(idle, deadline - now)
  redis.call('PEXPIRE', key, ttl)
  if ARGV[6] ~= '0' then index(meta[2], now + ttl, ttl) end
end
return now

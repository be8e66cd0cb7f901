--[[ update: the hot write path. Sets the fields a request changed on a live session, and nothing
  else: no refresh of the idle timeout (save-2.lua does that when a touch is due), no deletes.
  Liveness is "the hash has its '#x' field": a destroyed or regenerated session has no hash, an
  expired one is gone for Redis (its TTL is never beyond the absolute deadline: every script that
  sets a TTL caps it at '#x' - now), so the session is never resurrected and no TIME is needed.
  KEYS[1]  the session hash
  ARGV     field, value pairs to set (fields already prefixed with '=')
  Returns  0 on success; -1 when the session is gone (nothing written)
]]
local key = KEYS[1]
if redis.call('HEXISTS', key, '#x') == 0 then return -1 end
local n = #ARGV
-- Lua's unpack has a stack limit: large saves go in chunks.
if n <= 400 then
  redis.call('HSET', key, unpack(ARGV))
else
  for i = 1, n, 400 do redis.call('HSET', key, unpack(ARGV, i, math.min(i + 399, n))) end
end
return 0

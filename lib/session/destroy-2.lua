--[[ destroy: deletes a session and removes it from its user index, optionally returning its
  data first (used when a login moves the data to a session under the user's hash tag).
  KEYS[1]  the session hash
  KEYS[2]  the user index of the session's hash tag
  ARGV[1]  session id (the member in KEYS[2])
  ARGV[2]  '1' to return the data, '0' not to
  Returns  0 when there was no live session; else 1, or { field1, value1, ... } when ARGV[2] is '1'
]]
local deadline = redis.call('HGET', KEYS[1], '#x')
redis.call('ZREM', KEYS[2], ARGV[1])
if not deadline then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local all = nil
if ARGV[2] == '1' and now < tonumber(deadline) then all = redis.call('HGETALL', KEYS[1]) end
redis.call('DEL', KEYS[1])
if now >= tonumber(deadline) then return 0 end
if all then return all end
return 1

--[[
  Deletes the entries of a member's player index whose board key has expired (a past period), by
  Redis time: an index that also lists a non-expiring board lives on, and would otherwise keep one
  entry per past period.

  KEYS[1]  the member's player index (see _index.lua)

  ARGV     none

  Returns the number of entries deleted.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local all = redis.call('HGETALL', KEYS[1])
local gone = 0
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 1) ~= '#' then
    local x = tonumber(string.match(all[i + 1], '^%d+|(%d+)|'))
    if x > 0 and x <= now then
      redis.call('HDEL', KEYS[1], all[i])
      gone = gone + 1
    end
  end
end
return gone

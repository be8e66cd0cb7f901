--[[
  The last step of an erase: deletes the entries of a member's player index whose generation is at
  most G (the ones the erase read), and the index when no entry is left. Entries written after the
  erase read the index (a later write) stay.

  KEYS[1]  the member's player index (see _index.lua)

  ARGV[1]  G, the generation index-read-1.lua returned

  Returns the number of entries left.
]]
local g = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local left = 0
for i = 1, #all, 2 do
  local field = all[i]
  if string.sub(field, 1, 1) ~= '#' then
    local gen = tonumber(string.match(all[i + 1], '^(%d+)|'))
    if gen <= g then redis.call('HDEL', KEYS[1], field) else left = left + 1 end
  end
end
if left == 0 then redis.call('DEL', KEYS[1]) end
return left

--[[
  Adds the user scores of one source board into a roll-up under construction, for boards whose
  stored scores carry a tie-break part (a plain ZUNIONSTORE SUM would add the tie parts too).
  A member's tie part in the sum is its latest one: the total was reached with the last addition.

  KEYS[1]  the roll-up under construction
  KEYS[2]  the source board

  ARGV[1]  order: 'desc' | 'asc'
  ARGV[2]  M: tie-break multiplier (> 1)
  ARGV[3]  lowest allowed user score
  ARGV[4]  highest allowed user score

  Returns the number of source members, or { -1, member } when a sum leaves [min, max]
  (the roll-up under construction is then deleted).
]]
local dest, src = KEYS[1], KEYS[2]
local desc = ARGV[1] == 'desc'
local M, lo, hi = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local items = redis.call('ZRANGE', src, 0, -1, 'WITHSCORES')
local writes = {}
for i = 1, #items, 2 do
  local member, raw = items[i], tonumber(items[i + 1])
  local user = math.floor(raw / M)
  local tie = raw - user * M
  local prev = redis.call('ZSCORE', dest, member)
  if prev then
    prev = tonumber(prev)
    local pu = math.floor(prev / M)
    local pt = prev - pu * M
    -- user parts are offset by lo: (a - lo) + (b - lo) + lo
    user = user + pu + lo
    -- later reach time: smaller tie part when desc, larger when asc
    if desc then tie = math.min(tie, pt) else tie = math.max(tie, pt) end
  end
  if prev and (user + lo < lo or user + lo > hi) then
    redis.call('DEL', dest)
    return { -1, member }
  end
  writes[#writes + 1] = user * M + tie
  writes[#writes + 1] = member
end
for k = 1, #writes, 2000 do
  redis.call('ZADD', dest, unpack(writes, k, math.min(k + 1999, #writes)))
end
return #items / 2

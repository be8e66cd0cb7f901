-- The player index of one member (a hash, the member's own hash tag): one field per board key the
-- member was written to, valued 'gen|expireAt|entry', where entry is the board's JSON description
-- (lib/leaderboard/player-index.ts) and expireAt the board key's expiry (ms, 0 = none). Two
-- reserved fields: '#g' the last generation handed out, '#x' the index's own expiry ('inf' once a
-- non-expiring board is listed), so an index of periodic boards only goes with its last period.
--
-- Generations are Redis TIME in microseconds, forced strictly increasing per index: an erase reads
-- the index at generation G (index-read-1.lua) and every later write gets a generation above G,
-- whatever the clock does within one microsecond.
local function index_gen (idx)
  local t = redis.call('TIME')
  local gen = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local last = tonumber(redis.call('HGET', idx, '#g') or '0')
  if gen <= last then gen = last + 1 end
  redis.call('HSET', idx, '#g', string.format('%.0f', gen))
  return gen
end

local function index_add (idx, field, entry, expireAt)
  local gen = index_gen(idx)
  redis.call('HSET', idx, field, string.format('%.0f', gen) .. '|' .. string.format('%.0f', expireAt) .. '|' .. entry)
  local x = redis.call('HGET', idx, '#x')
  if x ~= 'inf' then
    if expireAt == 0 then
      redis.call('HSET', idx, '#x', 'inf')
      redis.call('PERSIST', idx)
    elseif (not x) or tonumber(x) < expireAt then
      redis.call('HSET', idx, '#x', string.format('%.0f', expireAt))
      redis.call('PEXPIREAT', idx, expireAt)
    end
  end
  return gen
end

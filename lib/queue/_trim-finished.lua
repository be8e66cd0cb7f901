-- Shared by fail-7 and take-9 (pasted by the loader's --@include).
-- trimFinished(set, prefix, count, age, now): keeps the finished set `set` (completed or failed,
-- scored by finish time) within its retention: at most `count` jobs (count < 0: no cap) and none
-- older than `age` ms (age < 0: no age limit). At most 100 jobs go per call, so a script never runs
-- long; their job hashes are deleted with them.
local function trimFinished(set, prefix, count, age, now)
  local victims = {}
  if count >= 0 then
    local excess = redis.call('ZCARD', set) - count
    if excess > 0 then
      if excess > 100 then excess = 100 end
      victims = redis.call('ZRANGE', set, 0, excess - 1)
    end
  end
  if age >= 0 and #victims == 0 then
    victims = redis.call('ZRANGEBYSCORE', set, '-inf', '(' .. (now - age), 'LIMIT', 0, 100)
  end
  for _, old in ipairs(victims) do redis.call('DEL', prefix .. 'job:' .. old) end
  if #victims > 0 then redis.call('ZREM', set, unpack(victims)) end
end

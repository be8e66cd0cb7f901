-- The sliding-window log for a one-policy rule (the hot path), shared by sliding-window-1.lua and
-- batch-n.lua so a batched check is exactly a single one. Returns the script reply (see
-- sliding-window-1.lua).

-- Adds the cost members of one call, scored now. The member is the caller-unique suffix (plus
-- the unit index): the time is already the score, so the member need not repeat it.
local function record_members(key, cost, now, member)
  if cost == 1 then
    redis.call('ZADD', key, now, member)
  else
    local zargs, stem = {}, member .. ':'
    for j = 1, cost do
      zargs[2 * j - 1] = now
      zargs[2 * j] = stem .. j
    end
    redis.call('ZADD', key, unpack(zargs))
  end
end

local function sliding_window_one(key, cost, consume, now, member, limit, w)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - w)
  local c = redis.call('ZCARD', key)
  if c + cost > limit then
    local retry = w
    if cost <= limit then
      retry = tonumber(redis.call('ZRANGE', key, c + cost - limit - 1, c + cost - limit - 1, 'WITHSCORES')[2]) + w - now
    end
    local reset = 0
    if c > 0 then reset = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2]) + w - now end
    local rem = limit - c
    if rem < 0 then rem = 0 end
    if retry < 0 then retry = 0 end
    return { 0, 1, rem, math.ceil(reset / 1000), math.ceil(retry / 1000) }
  end
  if not consume then
    local reset = 0
    if c > 0 then reset = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2]) + w - now end
    return { 1, 1, limit - c, math.ceil(reset / 1000), 0 }
  end
  record_members(key, cost, now, member)
  -- The newest member must outlive its window. An empty log (new key) needs the TTL set; else
  -- only when it is shorter than the window, and then with slack so a busy key moves it rarely.
  local ms = math.ceil(w / 1000)
  if c == 0 or redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms + ttl_slack(ms)) end
  return packed(limit - c - cost, ms)
end

-- The sliding-window log for a one-policy rule (the hot path), shared by sliding-window-1.lua and
-- batch-n.lua so a batched check answers exactly as a single one. Returns the script reply (see
-- sliding-window-1.lua).

-- ZADD of score/member pairs `zargs[1..n]`, in chunks: Lua's unpack fails beyond ~8000 values,
-- and a request's cost (one member per unit) may be far larger than that.
local function zadd_pairs(key, zargs, n)
  for from = 1, n, 1000 do
    local to = from + 999
    if to > n then to = n end
    redis.call('ZADD', key, unpack(zargs, from, to))
  end
end

-- Appends the cost members of one call, scored now, to `zargs` after index n; returns the new n.
-- The member is the caller-unique suffix (plus the unit index): the time is already the score,
-- so the member need not repeat it.
local function append_members(zargs, n, cost, now, member)
  if cost == 1 then
    zargs[n + 1] = now
    zargs[n + 2] = member
    return n + 2
  end
  local stem = member .. ':'
  for j = 1, cost do
    zargs[n + 2 * j - 1] = now
    zargs[n + 2 * j] = stem .. j
  end
  return n + 2 * cost
end

local function record_members(key, cost, now, member)
  if cost == 1 then
    redis.call('ZADD', key, now, member)
  else
    local zargs = {}
    zadd_pairs(key, zargs, append_members(zargs, 0, cost, now, member))
  end
end

-- The TTL after members were added: the newest member must outlive its window. An empty log
-- before the add (a new key) needs the TTL set; else only when it is shorter than the window, and
-- then with slack so a busy key moves it rarely.
local function sw_keep_alive(key, was_empty, w)
  local ms = math.ceil(w / 1000)
  if was_empty or redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms + ttl_slack(ms)) end
end

-- The reply of a check the log (c members inside the window w) does not admit.
local function sw_rejected(key, c, cost, limit, now, w)
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

-- The reply of an admitted request, c members now in the window.
local function sw_admitted(c, limit, w)
  return packed(limit - c, math.ceil(w / 1000))
end

local function sliding_window_one(key, cost, consume, now, member, limit, w)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - w)
  local c = redis.call('ZCARD', key)
  if c + cost > limit then return sw_rejected(key, c, cost, limit, now, w) end
  if not consume then
    local reset = 0
    if c > 0 then reset = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2]) + w - now end
    return { 1, 1, limit - c, math.ceil(reset / 1000), 0 }
  end
  record_members(key, cost, now, member)
  sw_keep_alive(key, c == 0, w)
  return sw_admitted(c + cost, limit, w)
end

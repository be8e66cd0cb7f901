-- The body of add-6.lua, shared with sched-tick-8.lua (a schedule's tick adds its jobs the same
-- way). KEYS[1..6] and ARGV[1..4 + 10n] as add-6.lua lists them; returns what add-6.lua returns.
local function add_jobs ()
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local prefix = ARGV[1]
  local maxEvents = tonumber(ARGV[2])
  local window = tonumber(ARGV[3])
  local n = tonumber(ARGV[4])
  local out = {}
  local wake = false
  for i = 0, n - 1 do
    local b = 4 + i * 10
    local jobId = ARGV[b + 1]
    local id = jobId
    local created = 1
    if jobId == '' then
      id = tostring(redis.call('INCR', KEYS[1]))
    elseif redis.call('EXISTS', prefix .. 'job:' .. jobId) == 1 then
      created = 0
    elseif window > 0 and not redis.call('SET', prefix .. 'uniq:' .. jobId, '1', 'NX', 'PX', window) then
      created = 0
    end
    if created == 1 then
      local jk = prefix .. 'job:' .. id
      local prio = tonumber(ARGV[b + 4])
      local delay = tonumber(ARGV[b + 5])
      local roc = ARGV[b + 9]
      local rof = ARGV[b + 10]
      redis.call('HSET', jk, 'name', ARGV[b + 2], 'data', ARGV[b + 3], 'prio', prio, 'att', ARGV[b + 6],
        'bo', ARGV[b + 7], 'to', ARGV[b + 8], 'roc', roc, 'rof', rof, 'ts', now)
      if delay > 0 then
        redis.call('ZADD', KEYS[3], now + delay, id)
        redis.call('HSET', jk, 'st', 'delayed', 'due', now + delay)
      else
        local seq = redis.call('HINCRBY', KEYS[6], 'seq', 1)
        local score = prio * 8589934592 + (seq % 8589934592)
        redis.call('ZADD', KEYS[2], score, id)
        redis.call('HSET', jk, 'st', 'waiting', 'sc', score)
      end
      wake = true
      if maxEvents > 0 then
        redis.call('XADD', KEYS[5], 'MAXLEN', '~', maxEvents, '*', 'ev', 'added', 'id', id, 'name', ARGV[b + 2])
      end
    end
    out[#out + 1] = id
    out[#out + 1] = created
  end
  -- Wakes one blocked worker (it re-arms the marker for the next one if jobs remain, and recomputes
  -- its block timeout from the earliest delayed job).
  if wake then redis.call('ZADD', KEYS[4], 0, 'w') end
  return out
end

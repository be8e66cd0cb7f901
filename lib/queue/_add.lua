-- The body of add-6.lua, shared with sched-tick-8.lua (a schedule's tick adds its jobs the same
-- way). KEYS[1..6] and ARGV[1..4 + 10n] as add-6.lua lists them; returns what add-6.lua returns.
-- Needs _waiting.lua (enqueue) included before it.
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
      -- Only what differs from the defaults is stored (job.ts and the scripts read a missing field
      -- as its default): every byte here is paid once per job (docs/queue.md, Memory).
      local fields = { jk, 'name', ARGV[b + 2], 'data', ARGV[b + 3], 'ts', now }
      local function opt (field, value, default)
        if value ~= default then fields[#fields + 1] = field; fields[#fields + 1] = value end
      end
      opt('prio', ARGV[b + 4], '0')
      opt('att', ARGV[b + 6], '1')
      opt('bo', ARGV[b + 7], '')
      opt('to', ARGV[b + 8], '0')
      opt('roc', ARGV[b + 9], DEFAULT_ROC)
      opt('rof', ARGV[b + 10], DEFAULT_ROF)
      fields[#fields + 1] = 'st'
      if delay > 0 then
        redis.call('ZADD', KEYS[3], now + delay, id)
        fields[#fields + 1] = 'delayed'
        fields[#fields + 1] = 'due'
        fields[#fields + 1] = now + delay
      else
        fields[#fields + 1] = 'waiting'
        local sc = enqueue(KEYS[2], KEYS[6], prefix, id, prio)
        if sc then fields[#fields + 1] = 'sc'; fields[#fields + 1] = sc end
      end
      redis.call('HSET', unpack(fields))
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

--[[
  Completes jobs this worker still owns (a batch: one call per flush).
  KEYS[1] active   KEYS[2] completed   KEYS[3] events   KEYS[4] marker
  ARGV[1] key prefix   ARGV[2] events MAXLEN   ARGV[3] wake a worker (1: global concurrency in use)
  ARGV[4] n, then per job: id, token, encoded return value
  Returns one value per job: 1 completed, 0 not the owner (lease lost: another worker has it or will).
  Retention "count:age" of the job (count -1 = keep all, 0 = delete now; age -1 = no age limit)
  trims the completed set, at most 100 jobs per call.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prefix = ARGV[1]
local maxEvents = tonumber(ARGV[2])
local n = tonumber(ARGV[4])
local out = {}
local done = 0
for i = 0, n - 1 do
  local b = 4 + i * 3
  local id = ARGV[b + 1]
  local jk = prefix .. 'job:' .. id
  local v = redis.call('HMGET', jk, 'tok', 'roc')
  if v[1] ~= ARGV[b + 2] or not redis.call('ZSCORE', KEYS[1], id) then
    out[#out + 1] = 0
  else
    redis.call('ZREM', KEYS[1], id)
    done = done + 1
    local sep = string.find(v[2] or '', ':', 1, true)
    local count = -1
    local age = -1
    if sep then
      count = tonumber(string.sub(v[2], 1, sep - 1))
      age = tonumber(string.sub(v[2], sep + 1))
    end
    if count == 0 then
      redis.call('DEL', jk)
    else
      redis.call('HINCRBY', jk, 'made', 1)
      redis.call('HSET', jk, 'st', 'completed', 'tok', '', 'fOn', now, 'ret', ARGV[b + 3])
      redis.call('ZADD', KEYS[2], now, id)
      local victims = {}
      if count > 0 then
        local excess = redis.call('ZCARD', KEYS[2]) - count
        if excess > 0 then
          if excess > 100 then excess = 100 end
          victims = redis.call('ZRANGE', KEYS[2], 0, excess - 1)
        end
      end
      if age >= 0 and #victims == 0 then
        victims = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - age), 'LIMIT', 0, 100)
      end
      for _, old in ipairs(victims) do redis.call('DEL', prefix .. 'job:' .. old) end
      if #victims > 0 then redis.call('ZREM', KEYS[2], unpack(victims)) end
    end
    if maxEvents > 0 then
      redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxEvents, '*', 'ev', 'completed', 'id', id, 'ret', ARGV[b + 3])
    end
    out[#out + 1] = 1
  end
end
if done > 0 and ARGV[3] == '1' then redis.call('ZADD', KEYS[4], 0, 'w') end
return out

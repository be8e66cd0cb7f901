-- Shared opening of every rate-limit script: the key, the cost and mode (a negative cost peeks)
-- and Redis TIME in microseconds.
local key = KEYS[1]
local cost = tonumber(ARGV[1])
local consume = cost > 0
if not consume then cost = -cost end
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]

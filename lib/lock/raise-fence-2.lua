-- Multi-master mode: raises a node's last fencing token to the lease's token (the highest of the
-- quorum) while the caller still holds the lock on that node, so the next holder's token, issued
-- by a node of an overlapping quorum, is higher (however far behind that node's clock is).
-- KEYS[1] the lock key (the owner's token, with a trailing '+' when a waiter marked it)
-- KEYS[2] the resource's last fencing token (same hash tag; see _fence.lua for its expiry)
-- ARGV[1] the owner's token
-- ARGV[2] the fencing token to raise the counter to
-- ARGV[3] the lease TTL in ms (the counter is kept that long after this node's clock reaches it)
-- Returns 1 when the counter is now >= ARGV[2], 0 when the caller no longer holds the lock.
--@include "_fence.lua"
local v = redis.call('GET', KEYS[1])
if v ~= ARGV[1] and v ~= ARGV[1] .. '+' then return 0 end
local to = tonumber(ARGV[2])
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if current < to then storeFence(KEYS[2], to, fenceClock(), tonumber(ARGV[3])) end
return 1

-- Multi-master mode: raises a node's fencing counter to the lease's token (the highest counter
-- of the quorum) while the caller still holds the lock on that node, so the next holder's token,
-- issued by a node of an overlapping quorum, is higher.
-- KEYS[1] the lock key (the owner's token, with a trailing '+' when a waiter marked it)
-- KEYS[2] the fencing counter (same hash tag)
-- ARGV[1] the owner's token
-- ARGV[2] the fencing token to raise the counter to
-- Returns 1 when the counter is now >= ARGV[2], 0 when the caller no longer holds the lock.
local v = redis.call('GET', KEYS[1])
if v ~= ARGV[1] and v ~= ARGV[1] .. '+' then return 0 end
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if current < tonumber(ARGV[2]) then redis.call('SET', KEYS[2], ARGV[2]) end
return 1

-- Checks a guess against a subject's code in one atomic step, so that concurrent guesses cannot
-- both spend the same attempt, and a right guess uses the code exactly once.
--   - no code (never issued, expired: Redis dropped the key at its PEXPIRE, or used): expired;
--   - burnt (no attempts left; the hash stays, without its digest, until the code's expiry, so
--     later guesses keep answering exhausted): exhausted, nothing compared;
--   - a match: the code is deleted (single use): ok;
--   - no match: one attempt spent; the last one burns the code: wrong, or exhausted.
-- The comparison is between two digests of fixed length (HMAC-SHA256): Lua compares interned
-- strings by reference, and even a byte-by-byte compare would only tell how many leading bytes of
-- two HMACs agree, which says nothing about the code to anyone without the secret.
-- KEYS[1] the subject's code: a hash { d = digest, a = wrong attempts left } (see issue-2.lua)
-- ARGV[1..n] the guess's digest under each accepted secret (the current one first)
-- Returns {result, attemptsLeft}: result 1 ok, 2 wrong, 3 expired, 4 exhausted.
local stored = redis.call('HMGET', KEYS[1], 'd', 'a')
local left = tonumber(stored[2])
if left == nil then return {3, 0} end
if left <= 0 or not stored[1] then return {4, 0} end
for i = 1, #ARGV do
  if ARGV[i] == stored[1] then
    redis.call('DEL', KEYS[1])
    return {1, 0}
  end
end
left = left - 1
if left == 0 then
  redis.call('HDEL', KEYS[1], 'd')
  redis.call('HSET', KEYS[1], 'a', 0)
  return {4, 0}
end
redis.call('HSET', KEYS[1], 'a', left)
return {2, left}

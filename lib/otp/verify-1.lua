-- Checks a guess against a subject's code in one atomic step, so that concurrent guesses cannot
-- both spend the same attempt, and a right guess uses the code exactly once.
--   - no code (never issued, expired: Redis dropped the key at its PX, or used): expired;
--   - burnt (the tombstone '-', kept until the code's expiry so that later guesses keep answering
--     exhausted): exhausted, nothing compared;
--   - a match: the code is deleted (single use): ok;
--   - no match: one attempt spent (KEEPTTL: the code keeps its expiry); the last one burns the
--     code: wrong, or exhausted.
-- The comparison is between two digests of fixed length (HMAC-SHA256): Lua compares interned
-- strings by reference, and even a byte-by-byte compare would only tell how many leading bytes of
-- two HMACs agree, which says nothing about the code to anyone without the secret.
-- KEYS[1] the subject's code: "<digest, 43 characters><wrong attempts left>" or '-' (see issue-2.lua)
-- ARGV[1..n] the guess's digest under each accepted secret (the current one first)
-- Returns one integer, result + 10 * attemptsLeft: result 1 ok, 2 wrong, 3 expired, 4 exhausted
-- (one integer reply: cheaper to build and to parse than an array, on the hottest call).
local stored = redis.call('GET', KEYS[1])
if not stored then return 3 end
if #stored <= 43 then return 4 end
local digest = string.sub(stored, 1, 43)
for i = 1, #ARGV do
  if ARGV[i] == digest then
    redis.call('DEL', KEYS[1])
    return 1
  end
end
local left = tonumber(string.sub(stored, 44)) - 1
if left <= 0 then
  redis.call('SET', KEYS[1], '-', 'KEEPTTL')
  return 4
end
redis.call('SET', KEYS[1], digest .. left, 'KEEPTTL')
return 2 + 10 * left

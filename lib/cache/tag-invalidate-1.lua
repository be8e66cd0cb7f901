-- Invalidates every entry carrying a tag, by bumping the tag's version (Redis-side, no app
-- clock), and broadcasts in the same atomic step.
-- KEYS[1]  tag version key
-- ARGV[1]  bus channel          ARGV[2]  bus message
-- Returns  1
-- A missing version needs no bump: no entry can match a version that does not exist.
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCR', KEYS[1]) end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1

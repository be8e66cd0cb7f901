-- Replaces the tags of one post, compare-and-set: the old tag sets must be named in KEYS (Cluster),
-- so the caller reads the post's tags first and the script refuses if they changed since; the
-- removals and additions then happen together, never leaving a post half re-tagged.
-- KEYS[1] the post's own tag set (the names of its tags)
-- KEYS[2 .. 1 + ARGV[2]] the tag sets of the tags the caller read (each a set of post ids)
-- KEYS[2 + ARGV[2] ..] the tag sets of the new tags
-- ARGV[1] the post id
-- ARGV[2] how many old tags
-- ARGV[3 ..] the old tag names, then the new tag names (in the order of their KEYS)
-- Returns 1 when the tags were replaced, 0 when the post's tags were not the ones read (retry).
local old = tonumber(ARGV[2])
local current = redis.call('SMEMBERS', KEYS[1])
if #current ~= old then return 0 end
local seen = {}
for i = 1, old do seen[ARGV[2 + i]] = true end
for _, tag in ipairs(current) do
  if not seen[tag] then return 0 end
end
for i = 1, old do redis.call('SREM', KEYS[1 + i], ARGV[1]) end
redis.call('DEL', KEYS[1])
for i = 2 + old, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[1])
  redis.call('SADD', KEYS[1], ARGV[1 + i])
end
return 1

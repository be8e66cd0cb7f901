--[[
  Shared by member-2.lua and dense-1.lua: the range of stored values that share a user score, and
  the bounded walk over the distinct user scores better than one (dense rank).

  A stored score is the user score, or with tie-breaking (M > 1) (score - minScore) * M + tie: the
  user score of a stored value r is the bucket [floor(r / M) * M, that + M - 1]. Dense rank counts
  buckets, never stored values.

  The walk reads the members beyond the current bucket in batches with an exclusive score bound
  (O(log N + batch) each) and counts the bucket changes; the rest of the last bucket seen is skipped
  by the next bound, so a run of equal scores costs one read, not one per member. The batch size
  adapts: twice the buckets the previous batch found (all distinct: 1, 2, 4, ...; long runs of equal
  scores: 2, one jump per distinct score), never more than the buckets still wanted.

  Work is bounded per call: each read costs WORK_PER_READ units plus one per member returned, and
  the walk stops once `budget` units are spent (about 0.5 µs of Redis time a unit), so no call holds
  Redis for long whatever the board's size. The caller resumes from the returned bucket.
]]
local fmt = function (x) return string.format('%.17g', x) end
local WORK_PER_READ = 4

local function bounds (r, M)
  if M > 1 then
    local l = math.floor(r / M) * M
    return l, l + M - 1
  end
  return r, r
end

-- Counts up to `need` distinct user scores better than bucket [l, h], spending at most about
-- `budget` units. Returns the count, and the lowest stored value of the last bucket counted (the
-- starting one when none was), or false when the board holds no better score beyond it.
local function dense_walk (key, desc, M, l, h, need, budget)
  local found, work, batch = 0, 0, 1
  while found < need and work < budget do
    local items
    if desc then
      items = redis.call('ZRANGEBYSCORE', key, '(' .. fmt(h), '+inf', 'WITHSCORES', 'LIMIT', 0, batch)
    else
      items = redis.call('ZREVRANGEBYSCORE', key, '(' .. fmt(l), '-inf', 'WITHSCORES', 'LIMIT', 0, batch)
    end
    if #items == 0 then return found, false end
    work = work + WORK_PER_READ + #items / 2
    local d = 0
    for i = 2, #items, 2 do
      local bl, bh = bounds(tonumber(items[i]), M)
      if bl ~= l then
        if found == need then break end
        found, d, l, h = found + 1, d + 1, bl, bh
      end
    end
    batch = math.max(1, math.min(2 * d, need - found, budget - work))
  end
  return found, fmt(l)
end

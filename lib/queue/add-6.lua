--[[
  Adds one or more jobs (add and addBulk share this script).
  KEYS[1] id counter   KEYS[2] waiting zset (prioritized jobs; priority-0 jobs go to the list
  `<prefix>wait`, _waiting.lua)   KEYS[3] delayed zset   KEYS[4] marker zset
  KEYS[5] events stream   KEYS[6] meta hash (seq, paused)
  ARGV[1] key prefix of the queue ("prefix:queue:{name}:")
  ARGV[2] events stream MAXLEN (0: no events)
  ARGV[3] jobId dedup window in ms (0: only while the job exists)
  ARGV[4] number of jobs n, then 10 values per job:
          jobId ('' = next counter value), name, data, priority, delay ms, attempts, backoff JSON,
          timeout ms, removeOnComplete "count:age", removeOnFail "count:age"
  Returns a flat array: id, created (1, or 0 for a duplicate jobId) per job.
  Waiting score = priority * 2^33 + (seq mod 2^33): FIFO within a priority, < 2^53.
  Fields equal to their defaults (priority 0, attempts 1, no backoff, no timeout, default
  retention) are not stored.
  Built and decoded by lib/queue/calls.ts: add() / addMany() (with addArgs, addJobArgs).
]]
--@include "_waiting.lua"
--@include "_add.lua"
return add_jobs()

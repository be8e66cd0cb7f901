--[[
  Claims one due tick of a schedule: adds its job(s) and advances the schedule's next tick, in one
  step, only if the schedule still has the tick this caller read (sched-due-2.lua) and the same
  spec. Every instance running the schedule may try the same tick; exactly one claim succeeds, and
  the job ids are deterministic ('repeat:<id>:<tick ms>'), so a tick never makes two jobs.
  KEYS[1] id counter   KEYS[2] waiting zset (prioritized)   KEYS[3] delayed zset   KEYS[4] marker zset
  KEYS[5] events stream   KEYS[6] meta hash (as add-6.lua)
  KEYS[7] schedules hash   KEYS[8] next-tick zset
  ARGV[1] to ARGV[4 + 10n] as add-6.lua: the tick's n jobs (n >= 1; several for missed: 'all')
  then ARGV[5 + 10n] schedule id, ARGV[6 + 10n] the due tick read, ARGV[7 + 10n] the spec read,
  ARGV[8 + 10n] the next tick after now (ms)
  Returns {} when the tick was already claimed (or the schedule changed, or the tick is not due by
  Redis time), else what add-6.lua returns.
  Built and decoded by lib/queue/calls.ts (schedules).
]]
--@include "_waiting.lua"
--@include "_add.lua"
local tail = 5 + tonumber(ARGV[4]) * 10
local id, tick = ARGV[tail], tonumber(ARGV[tail + 1])
local current = redis.call('ZSCORE', KEYS[8], id)
if (not current) or tonumber(current) ~= tick then return {} end
if redis.call('HGET', KEYS[7], id) ~= ARGV[tail + 2] then return {} end
local t = redis.call('TIME')
if tick > tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) then return {} end
local out = add_jobs()
redis.call('ZADD', KEYS[8], ARGV[tail + 3], id)
return out

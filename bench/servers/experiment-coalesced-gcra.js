// Experiment, not a contender and not the plugin: the gcra checks of one event-loop turn coalesced
// into ONE script call (one TIME, one EVALSHA, one ioredis command and timer per batch instead of
// per request). One hard-coded key and policy, no failure policy, no Cluster. Kept to reproduce the
// measurement that motivates doing this in RateLimiter (see the ratelimit2 commit message):
//   node bench/cpu-split.mjs 'a=rate-limit-anchor?BENCH_LIMIT=1000000000&BENCH_AUTOPIPELINE=1' \
//     'batch=experiment-coalesced-gcra?BENCH_AUTOPIPELINE=1' 'gcra=rate-limit-ours?BENCH_LIMIT=1000000000&BENCH_AUTOPIPELINE=1&BENCH_ALGORITHM=gcra'
import Fastify from 'fastify'
import { Redis } from 'ioredis'

const LUA = `
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
for i = 1, #KEYS do
  local key, field = KEYS[i], ARGV[3]
  local tat = tonumber(redis.call('HGET', key, field))
  local stored = tat ~= nil
  if not stored or tat < now then tat = now end
  tat = tat + interval
  redis.call('HSET', key, field, tat)
  local used = tat - now
  local ms = math.ceil(used / 1000)
  if not stored or redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms + 7500) end
  local rem = math.floor((tolerance - used) / interval + 1e-9)
  out[i] = rem * 8388608 + ms
end
return out`

export async function build (env) {
  const app = Fastify()
  const redis = new Redis(env.BENCH_REDIS_URL, { enableAutoPipelining: env.BENCH_AUTOPIPELINE === '1', commandTimeout: 1000 })
  app.addHook('onClose', () => redis.quit())
  const sha = await redis.script('load', LUA)
  const key = 'k' + process.pid
  let queue = []
  const flush = () => {
    const batch = queue
    queue = []
    const keys = batch.map(() => key)
    redis.evalsha(sha, keys.length, keys, '0.06', '60000000', 'f').then(res => {
      for (let i = 0; i < batch.length; i++) batch[i](null, res[i])
    }, err => { for (const cb of batch) cb(err) })
  }
  app.addHook('onRequest', (request, reply, done) => {
    if (queue.length === 0) setImmediate(flush)
    queue.push((err, r) => {
      if (err) { done(err); return }
      const rem = Math.floor(r / 8388608)
      reply.header('ratelimit-policy', '"1000000000-per-1m";q=1000000000;w=60')
      reply.header('ratelimit', '"1000000000-per-1m";r=' + rem + ';t=' + Math.ceil((r - rem * 8388608) / 1000))
      done()
    })
  })
  app.get('/', async () => ({ id: 1, name: 'Ada', tags: ['a', 'b'] }))
  return app
}

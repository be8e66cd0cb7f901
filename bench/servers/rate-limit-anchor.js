// Anchor: @fastify/rate-limit 11 with its Redis store (fixed window, INCR + PEXPIRE Lua).
import Fastify from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { Cluster, Redis } from 'ioredis'

export async function build (env) {
  const app = Fastify()
  const options = { enableAutoPipelining: env.BENCH_AUTOPIPELINE === '1', commandTimeout: 1000 }
  // BENCH_CLUSTER=host:port (a node of a Redis Cluster, ad hoc: QUICK_CLUSTER=1 node bench/quick.mjs) instead of BENCH_REDIS_URL.
  const redis = env.BENCH_CLUSTER === undefined
    ? new Redis(env.BENCH_REDIS_URL, options)
    : new Cluster([env.BENCH_CLUSTER], { enableAutoPipelining: options.enableAutoPipelining, redisOptions: { commandTimeout: 1000 } })
  app.addHook('onClose', () => redis.quit())
  await app.register(rateLimit, { max: Number(env.BENCH_LIMIT), timeWindow: 60_000, redis })
  app.get('/', async () => ({ id: 1, name: 'Ada', tags: ['a', 'b'] }))
  return app
}

// Ours: redisRateLimit (the checks of one event-loop turn batched into one Lua script call;
// BENCH_BATCH=0 for one call per request), same client settings as the anchor.
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { Redis } from 'ioredis'
import { redisRateLimit } from '../../dist/plugins/rate-limit.js'

export async function build (env) {
  const app = Fastify()
  const redis = new Redis(env.BENCH_REDIS_URL, { enableAutoPipelining: env.BENCH_AUTOPIPELINE === '1', commandTimeout: 1000 })
  await app.register(fastifyRedis, { client: redis })
  await app.register(redisRateLimit, {
    limit: Number(env.BENCH_LIMIT),
    window: 60_000,
    algorithm: env.BENCH_ALGORITHM,
    blockCache: env.BENCH_BLOCK_CACHE !== '0',
    batch: env.BENCH_BATCH === '0' ? false : env.BENCH_MAX_CHECKS !== undefined ? { maxChecks: Number(env.BENCH_MAX_CHECKS) } : true,
    prefix: `bench${process.pid}`
  })
  app.get('/', async () => ({ id: 1, name: 'Ada', tags: ['a', 'b'] }))
  return app
}

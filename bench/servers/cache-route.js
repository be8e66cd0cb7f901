// Route cache bench server: GET / cached by redisCache. BENCH_CACHE_L1=0 turns L1 off (every hit
// is an L2 hit: one GET).
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { redisCache } from '../../dist/plugins/cache.js'
import { recommendedRedisOptions } from '../../dist/lib/shared/connection.js'

export async function build (env) {
  const app = Fastify()
  await app.register(fastifyRedis, { url: env.BENCH_REDIS_URL, ...recommendedRedisOptions() })
  const l1 = env.BENCH_CACHE_L1 === '0' ? false : { ttl: 600_000 }
  await app.register(redisCache, { prefix: `bench${process.pid}`, l1, ttl: 600_000, earlyRefresh: 0 })
  // BENCH_METRICS=1: the metrics plugin registered too (bench/metrics-cost.mjs measures its cost).
  if (env.BENCH_METRICS === '1') {
    const { redisMetrics } = await import('../../dist/plugins/metrics.js')
    await app.register(redisMetrics)
  }
  app.get('/', { config: { cache: true } }, async () => ({ id: 1, name: 'Ada', tags: ['a', 'b'] }))
  return app
}

// Ours: redisRateLimit (the checks of one event-loop turn batched into one Lua script call;
// BENCH_BATCH=0 for one call per request), same client settings as the anchor.
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { Cluster, Redis } from 'ioredis'
import { redisRateLimit } from '../../dist/plugins/rate-limit.js'

export async function build (env) {
  const app = Fastify()
  const options = { enableAutoPipelining: env.BENCH_AUTOPIPELINE === '1', commandTimeout: 1000 }
  // BENCH_CLUSTER=host:port (a node of a Redis Cluster, ad hoc: QUICK_CLUSTER=1 node bench/quick.mjs) instead of BENCH_REDIS_URL.
  const redis = env.BENCH_CLUSTER === undefined
    ? new Redis(env.BENCH_REDIS_URL, options)
    : new Cluster([env.BENCH_CLUSTER], { enableAutoPipelining: options.enableAutoPipelining, redisOptions: { commandTimeout: 1000 } })
  // closeClient: the in-process A/B (bench/ab.mjs rejectedCpu) builds and closes this app once per
  // round; an unclosed client kept reconnecting to the stopped bench Redis and the run never exited.
  await app.register(fastifyRedis, { client: redis, closeClient: true })
  await app.register(redisRateLimit, {
    limit: Number(env.BENCH_LIMIT),
    window: 60_000,
    algorithm: env.BENCH_ALGORITHM,
    blockCache: env.BENCH_BLOCK_CACHE !== '0',
    batch: env.BENCH_BATCH === '0' ? false : env.BENCH_MAX_CHECKS !== undefined ? { maxChecks: Number(env.BENCH_MAX_CHECKS) } : true,
    prefix: `bench${process.pid}`
  })
  // BENCH_METRICS=1: the metrics plugin registered too (bench/metrics-cost.mjs measures its cost).
  if (env.BENCH_METRICS === '1') {
    const { redisMetrics } = await import('../../dist/plugins/metrics.js')
    await app.register(redisMetrics)
  }
  app.get('/', async () => ({ id: 1, name: 'Ada', tags: ['a', 'b'] }))
  return app
}

// Anchor: @fastify/rate-limit 11 with its Redis store (fixed window, INCR + PEXPIRE Lua).
import Fastify from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { Redis } from 'ioredis'

export async function build (env) {
  const app = Fastify()
  const redis = new Redis(env.BENCH_REDIS_URL, { enableAutoPipelining: env.BENCH_AUTOPIPELINE === '1', commandTimeout: 1000 })
  app.addHook('onClose', () => redis.quit())
  await app.register(rateLimit, { max: Number(env.BENCH_LIMIT), timeWindow: 60_000, redis })
  app.get('/', async () => ({ id: 1, name: 'Ada', tags: ['a', 'b'] }))
  return app
}

// Ceiling 2: a route doing one Redis GET + JSON.parse (the cost a cached route cannot avoid).
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { recommendedRedisOptions } from '../../dist/lib/shared/connection.js'

export async function build (env) {
  const app = Fastify()
  // BENCH_CLIENT=recommended: the client settings our plugins run with (auto-pipelining and a
  // bounded commandTimeout, which costs a timer per command), so only the plugin's work differs.
  const client = env.BENCH_CLIENT === 'recommended' ? recommendedRedisOptions() : { enableAutoPipelining: env.BENCH_AUTOPIPELINE === '1' }
  await app.register(fastifyRedis, { url: env.BENCH_REDIS_URL, ...client })
  await app.redis.set('bench:user:1', JSON.stringify({ id: 1, name: 'Ada', tags: ['a', 'b'] }))
  app.get('/', async () => JSON.parse(await app.redis.get('bench:user:1')))
  return app
}

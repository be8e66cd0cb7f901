// Ceiling 2: a route doing one Redis GET + JSON.parse (the cost a cached route cannot avoid).
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'

export async function build (env) {
  const app = Fastify()
  await app.register(fastifyRedis, { url: env.BENCH_REDIS_URL, enableAutoPipelining: env.BENCH_AUTOPIPELINE === '1' })
  await app.redis.set('bench:user:1', JSON.stringify({ id: 1, name: 'Ada', tags: ['a', 'b'] }))
  app.get('/', async () => JSON.parse(await app.redis.get('bench:user:1')))
  return app
}

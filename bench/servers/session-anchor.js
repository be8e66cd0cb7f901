// Anchor: @fastify/session 11 with connect-redis 8 on ioredis (the setup the Fastify docs give),
// defaults otherwise (rolling: true, so every request with a session rewrites it).
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import { register } from 'node:module'
import { recommendedRedisOptions } from '../../dist/lib/shared/connection.js'

register('./session-anchor-shim-hooks.js', import.meta.url)
const { RedisStore } = await import('connect-redis')

export const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789'

export async function build (env) {
  const app = Fastify()
  await app.register(fastifyRedis, { url: env.BENCH_REDIS_URL, ...recommendedRedisOptions() })
  await app.register(fastifyCookie)
  await app.register(fastifySession, {
    secret: SECRET,
    store: new RedisStore({ client: app.redis, prefix: 'bench-anchor:' }),
    cookie: { secure: false }
  })
  app.post('/init', async req => {
    req.session.set('n', 0)
    return { ok: true }
  })
  app.get('/rw', async req => {
    const n = (req.session.get('n') ?? 0) + 1
    req.session.set('n', n)
    return { n }
  })
  app.get('/r', async req => ({ n: req.session.get('n') ?? null }))
  return app
}

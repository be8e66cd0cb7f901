// Our session plugin: GET /rw reads and writes one value, GET /r only reads it.
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { redisSession } from '../../dist/plugins/session.js'
import { recommendedRedisOptions } from '../../dist/lib/shared/connection.js'

export const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789'

export async function build (env) {
  const app = Fastify()
  await app.register(fastifyRedis, { url: env.BENCH_REDIS_URL, ...recommendedRedisOptions() })
  await app.register(redisSession, { secret: SECRET, prefix: 'bench', cookie: { secure: false } })
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

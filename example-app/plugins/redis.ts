// @fastify/redis with the package's recommended client options (bounded timeouts, one retry,
// auto-pipelining). Every pattern plugin takes its client from here.
import fp from 'fastify-plugin'
import fastifyRedis from '@fastify/redis'
import { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { recommendedRedisOptions } from '../../lib/shared/connection.js'

export default fp(async (fastify: FastifyInstance, opts: { redisUrl?: string }) => {
  const client = new Redis(opts.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', recommendedRedisOptions())
  // We close the client ourselves: @fastify/redis's own close is a bare QUIT, which fails while
  // Redis is down and leaves the client reconnecting forever, so shutdown would reject and the
  // process would never exit (seen in test/example-app/health.test.ts).
  await fastify.register(fastifyRedis, { client, closeClient: false })
  fastify.addHook('onClose', async () => {
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect())
    else client.disconnect()
  })
  // ioredis reconnects by itself; log the outage once instead of an unhandled 'error' event.
  let down = false
  fastify.redis.on('error', (err: Error) => {
    if (!down) fastify.log.warn({ err }, 'Redis connection error; reconnecting')
    down = true
  })
  fastify.redis.on('ready', () => { down = false })
}, { name: 'example-redis' })

// @fastify/redis with the package's recommended client options (bounded timeouts, one retry,
// auto-pipelining). Every pattern plugin takes its client from here.
import fp from 'fastify-plugin'
import fastifyRedis from '@fastify/redis'
import type { FastifyInstance } from 'fastify'
import { recommendedRedisOptions } from '../../lib/shared/connection.js'

export default fp(async (fastify: FastifyInstance, opts: { redisUrl?: string }) => {
  await fastify.register(fastifyRedis, {
    url: opts.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    ...recommendedRedisOptions()
  })
  // ioredis reconnects by itself; log the outage once instead of an unhandled 'error' event.
  let down = false
  fastify.redis.on('error', (err: Error) => {
    if (!down) fastify.log.warn({ err }, 'Redis connection error; reconnecting')
    down = true
  })
  fastify.redis.on('ready', () => { down = false })
}, { name: 'example-redis' })

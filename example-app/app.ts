// The example application's root plugin (fastify-cli style: default export + `options`).
import type { FastifyInstance, FastifyPluginOptions } from 'fastify'
import fastifyRedis from '@fastify/redis'
import { recommendedRedisOptions } from '../lib/shared/connection.js'

export interface AppOptions extends FastifyPluginOptions {
  redisUrl?: string
}

export const options = {}

export default async function app (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  await fastify.register(fastifyRedis, { url: opts.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', ...recommendedRedisOptions() })

  fastify.get('/health', async (_request, reply) => {
    const started = performance.now()
    try {
      await fastify.redis.ping()
      return { status: 'ok', redis: { status: 'up', latencyMs: Math.round((performance.now() - started) * 100) / 100 } }
    } catch (err) {
      return await reply.code(503).send({ status: 'degraded', redis: { status: 'down', error: (err as Error).message } })
    }
  })
}

// GET /health: Redis and SQLite status; 503 when either is down.
import type { FastifyInstance } from 'fastify'

export default async function health (fastify: FastifyInstance, _opts: object): Promise<void> {
  fastify.get('/health', {
    config: { rateLimit: false },
    schema: {
      response: {
        '2xx': { $ref: 'healthStatus#' },
        503: { $ref: 'healthStatus#' }
      }
    }
  }, async (_request, reply) => {
    const redis = await probe(async () => { await fastify.redis.ping() })
    const sqlite = await probe(async () => { fastify.db.prepare('SELECT 1').get() })
    const ok = redis.status === 'up' && sqlite.status === 'up'
    return await reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', redis, sqlite })
  })
}

async function probe (fn: () => Promise<void>): Promise<{ status: 'up' | 'down', latencyMs: number, error?: string }> {
  const started = performance.now()
  try {
    await fn()
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 100) / 100 }
  } catch (err) {
    return { status: 'down', latencyMs: Math.round((performance.now() - started) * 100) / 100, error: (err as Error).message }
  }
}

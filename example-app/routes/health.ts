// GET /health: Redis and SQLite status; 503 when either is down. The Redis part is
// fastify.redisHealth()'s report on every client the pattern plugins use (reachability, PING,
// memory, eviction policy and the memory watch's warnings), read at most once a second.
import type { FastifyInstance } from 'fastify'
import type { RedisHealthReport } from '../../plugins/shared/redis-registry.js'

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
    const redis = redisStatus(await fastify.redisHealth())
    const sqlite = await probe(async () => { fastify.db.prepare('SELECT 1').get() })
    const ok = redis.status === 'up' && sqlite.status === 'up'
    return await reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', redis, sqlite })
  })
}

function redisStatus (report: RedisHealthReport): { status: 'up' | 'down', latencyMs?: number, error?: string, clients: object[] } {
  const clients = report.clients.map(({ pingSeconds, at: _at, ...c }) => ({ ...c, pingMs: pingSeconds === null ? null : ms(pingSeconds * 1000) }))
  const pings = clients.flatMap(c => c.pingMs ?? [])
  const error = clients.find(c => c.error !== undefined)?.error
  return {
    status: report.ok ? 'up' : 'down',
    ...(pings.length > 0 ? { latencyMs: Math.max(...pings) } : {}),
    ...(error !== undefined ? { error } : {}),
    clients
  }
}

function ms (n: number): number {
  return Math.round(n * 100) / 100
}

async function probe (fn: () => Promise<void>): Promise<{ status: 'up' | 'down', latencyMs: number, error?: string }> {
  const started = performance.now()
  try {
    await fn()
    return { status: 'up', latencyMs: ms(performance.now() - started) }
  } catch (err) {
    return { status: 'down', latencyMs: ms(performance.now() - started), error: (err as Error).message }
  }
}

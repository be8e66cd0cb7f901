// Registers every pattern plugin of the package on the shared @fastify/redis client, in the
// order routes need them (rate limit, cache and lock before the routes that use their config).
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { redisRateLimit } from '../../plugins/rate-limit.js'
import { redisCache } from '../../plugins/cache.js'
import { redisSession } from '../../plugins/session.js'
import { redisLock } from '../../plugins/lock.js'
import { redisLeaderboard } from '../../plugins/leaderboard.js'
import { redisQueue } from '../../plugins/queue.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler: 401 unless the request's session is logged in. */
    requireUser: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

export interface PatternOptions {
  /** Session HMAC secret(s); a development default is used when unset (never in production). */
  sessionSecret?: string | string[]
  /** Cookie `Secure` attribute: 'auto' lets the app work over plain http on localhost. */
  secureCookies?: boolean | 'auto'
}

export default fp(async (fastify: FastifyInstance, opts: PatternOptions) => {
  const secret = opts.sessionSecret ?? process.env.SESSION_SECRET ?? 'development-only-secret-change-me-0123456789'

  // Global limit for the API: 300 requests/min per client IP; routes tighten it (login) or
  // opt out (health).
  await fastify.register(redisRateLimit, { limit: 300, window: 60_000, algorithm: 'sliding-window' })
  await fastify.register(redisCache, { prefix: 'example', ttl: 60_000, l1: { maxEntries: 10_000, ttl: 5_000 } })
  await fastify.register(redisSession, {
    secret,
    ttl: 30 * 60_000,
    absoluteTtl: 12 * 3_600_000,
    cookie: { secure: opts.secureCookies ?? 'auto' }
  })
  await fastify.register(redisLock, { ttl: 10_000 })

  fastify.decorate('requireUser', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.session.userId === null) {
      await reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Log in first: POST /api/login' })
    }
  })

  await fastify.register(redisLeaderboard, {
    boards: {
      alltime: { tieBreak: 'first', update: 'best' },
      weekly: { period: 'week', keep: 4, update: 'increment' }
    },
    routes: { prefix: '/api/leaderboards', preHandler: fastify.requireUser }
  })
  await fastify.register(redisQueue, {
    queues: { email: { } },
    routes: { prefix: '/api/queues', preHandler: fastify.requireUser }
  })
}, { name: 'example-patterns', dependencies: ['example-redis', 'example-db'] })

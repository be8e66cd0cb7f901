// Registers every pattern plugin of the package on the shared @fastify/redis client, in the
// order routes need them (rate limit, cache and lock before the routes that use their config).
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { redisRateLimit } from '../../plugins/rate-limit.js'
import { redisCache } from '../../plugins/cache.js'
import { redisSession } from '../../plugins/session.js'
import { redisLock } from '../../plugins/lock.js'
import { redisLeaderboard } from '../../plugins/leaderboard.js'
import { redisQueue } from '../../plugins/queue.js'
import { redisMetrics } from '../../plugins/metrics.js'
import { redisDashboard } from '../../plugins/dashboard.js'
import { requireAdmin } from '../auth/hooks.js'
import { resolveSessionSecret } from '../auth/session-secret.js'
import { emailJobsMatchEmailSchema } from '../schemas/email-jobs.js'

export interface PatternOptions {
  /** Session HMAC secret(s), else SESSION_SECRET; required when NODE_ENV=production. */
  sessionSecret?: string | string[]
  /** Cookie `Secure` attribute: 'auto' lets the app work over plain http on localhost. */
  secureCookies?: boolean | 'auto'
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

export default fp(async (fastify: FastifyInstance, opts: PatternOptions) => {
  const { secret, fallback } = resolveSessionSecret(opts.sessionSecret)
  if (fallback) fastify.log.warn('SESSION_SECRET is unset: using the development-only session secret (refused when NODE_ENV=production)')

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

  // Reads are public; writing an arbitrary member's score is for admins (players' own scores
  // go through POST /api/games/:id/finish, which takes the member from the session).
  await fastify.register(redisLeaderboard, {
    boards: {
      alltime: { tieBreak: 'first', update: 'best' },
      weekly: { period: 'week', keep: 4, update: 'increment' }
    },
    routes: { prefix: '/api/leaderboards', onRequest: requireAdmin }
  })
  // Every queue route is for admins (job data holds e-mail addresses), checked before the body is
  // parsed or validated; a raw job on the email queue must then pass the schema POST /api/emails
  // enforces.
  await fastify.register(redisQueue, {
    queues: { email: { }, reports: { } },
    routes: { prefix: '/api/queues', onRequest: requireAdmin, preHandler: emailJobsMatchEmailSchema }
  })
  // Prometheus text at GET /metrics, for a scraper on this host only: the metrics name queues,
  // boards and routes, which is nobody else's business.
  await fastify.register(redisMetrics, {
    onRequest: async (request, reply) => {
      if (!LOOPBACK.has(request.ip)) await reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: 'metrics are served to loopback clients only' })
    }
  })
  // The operator's dashboard at /dashboard, for admins (401 anonymous, 403 other users).
  await fastify.register(redisDashboard, { authorize: requireAdmin })
}, { name: 'example-patterns', dependencies: ['example-redis', 'example-db'] })

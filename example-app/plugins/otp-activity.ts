// One-time codes for passwordless login, and daily activity bitmaps fed by every request of a
// logged-in user (routes/api/otp.ts and routes/api/stats.ts use them).
import { createHmac } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { redisOtp } from '../../plugins/otp.js'
import { redisActivity } from '../../plugins/activity.js'
import { resolveSessionSecret } from '../auth/session-secret.js'
import type { PatternOptions } from './patterns.js'

/** The session's user id as a number, or null (anonymous, sessions off on the route, or the session store down). */
function sessionUser (request: FastifyRequest): number | null {
  if (request.routeOptions.config.session === false) return null
  try {
    const id = request.session.userId
    return id === null ? null : Number(id)
  } catch {
    return null
  }
}

export default fp(async (fastify: FastifyInstance, opts: PatternOptions) => {
  // One secret to configure: the OTP digests are keyed with a key derived from the session
  // secret (its current one), never with the session secret itself.
  const { secret } = resolveSessionSecret(opts.sessionSecret)
  const otpSecret = createHmac('sha256', [secret].flat()[0]).update('example-app one-time codes').digest()
  await fastify.register(redisOtp, { secret: otpSecret, prefix: 'example', ttl: '5m', attempts: 5, cooldown: '60s' })
  // User ids are SQLite integer keys (1, 2, ...): dense, as bitmaps want them.
  await fastify.register(redisActivity, { prefix: 'example', maxUserId: 10_000_000, retention: '90d', track: sessionUser })
}, { name: 'example-otp-activity', dependencies: ['example-redis', 'example-patterns'] })

// Fastify adapter of the one-time codes core: decorates `fastify.otp` (a OneTimeCodes). The routes
// that send and check codes are the app's (they decide who the subject is, how the code travels
// and what a right code grants): see the example app's POST /api/otp/request and /api/otp/verify.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { OneTimeCodes } from '../lib/otp/one-time-codes.js'
import type { OneTimeCodesOptions } from '../lib/otp/options.js'
import type { RedisClient } from '../lib/shared/connection.js'
import { resolveClient } from './shared/redis-client.js'
import { checkAtStartup } from './shared/startup.js'
import { announceCore } from './shared/cores.js'

export interface RedisOtpOptions extends OneTimeCodesOptions {
  /** Use `fastify.redis[namespace]` (an @fastify/redis namespace). */
  namespace?: string
  /** Use this client instead of @fastify/redis's. */
  client?: RedisClient
}

declare module 'fastify' {
  interface FastifyInstance {
    /** One-time codes: `issue(subject)` → `{ code, expiresAt }`, `verify(subject, code)` → `{ result, attemptsLeft }`. */
    otp: OneTimeCodes
  }
}

async function redisOtp (fastify: FastifyInstance, opts: RedisOtpOptions): Promise<void> {
  const { namespace: _ns, client: _client, ...coreOptions } = opts
  const redis = resolveClient(fastify, 'redisOtp', opts)
  const otp = new OneTimeCodes(redis, coreOptions)
  announceCore(fastify, 'otp', otp)
  await checkAtStartup(fastify, [redis], {
    pattern: 'otp',
    namespace: opts.namespace,
    // An evicted code locks its user out until a resend; an evicted cooldown lets codes (and
    // their attempts) be issued faster than configured.
    needsNoEviction: true,
    whileDown: 'issue() and verify() reject with 503 FRP_REDIS_UNAVAILABLE or FRP_REDIS_TIMEOUT'
  })
  fastify.decorate('otp', otp)
}

export const redisOtpPlugin = fp(redisOtp, {
  name: 'fastify-redis-patterns-otp',
  fastify: '5.x'
})

export { redisOtpPlugin as redisOtp }
export default redisOtpPlugin

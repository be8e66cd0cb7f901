// Fastify adapter of the activity core: decorates `fastify.activity` (an Activity) and, with the
// `track` option, marks the user of each request active for the day once the response is sent
// (no latency added to the request; a Redis failure is logged, never answered).
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { LRUCache } from 'lru-cache'
import { Activity } from '../lib/activity/activity.js'
import type { ActivityOptions } from '../lib/activity/options.js'
import type { RedisClient } from '../lib/shared/connection.js'
import { optFunction, optInt } from '../lib/shared/options.js'
import { resolveClient } from './shared/redis-client.js'
import { checkAtStartup } from './shared/startup.js'
import { outageLog } from './shared/outage-log.js'
import { announceCore } from './shared/cores.js'

export interface RedisActivityOptions extends ActivityOptions {
  /** Use `fastify.redis[namespace]` (an @fastify/redis namespace). */
  namespace?: string
  /** Use this client instead of @fastify/redis's. */
  client?: RedisClient
  /**
   * The user id to mark active for each request (null or undefined: nobody), e.g. the session's
   * user. Called in onResponse. Without it, nothing is marked automatically.
   */
  track?: (request: FastifyRequest) => number | null | undefined
  /**
   * Users remembered as already marked today in this process, so their later requests cost
   * Redis nothing (0: mark on every request). Default 10,000.
   */
  trackMemory?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Daily activity bitmaps: `mark`, `isActive`, `count`, `streak`, `retention`. */
    activity: Activity
  }
}

async function redisActivity (fastify: FastifyInstance, opts: RedisActivityOptions): Promise<void> {
  const { namespace: _ns, client: _client, track: trackInput, trackMemory: memoryInput, ...coreOptions } = opts
  const redis = resolveClient(fastify, 'redisActivity', opts)
  const track = optFunction<(request: FastifyRequest) => number | null | undefined>('redisActivity.track', trackInput)
  const memory = optInt('redisActivity.trackMemory', memoryInput, 10_000, 0, 10_000_000)
  const activity = new Activity(redis, coreOptions)
  announceCore(fastify, 'activity', activity)
  const whileDown = 'marks are dropped (logged) and queries reject with 503 FRP_REDIS_UNAVAILABLE or FRP_REDIS_TIMEOUT'
  await checkAtStartup(fastify, [redis], { pattern: 'activity', namespace: opts.namespace, needsNoEviction: true, whileDown })
  fastify.decorate('activity', activity)
  if (track === undefined) return

  const outage = outageLog(fastify, { pattern: 'activity', whileDown, clients: [redis] })
  // user id -> the day (YYYY-MM-DD) this process last marked them on.
  const marked = memory > 0 ? new LRUCache<number, string>({ max: memory }) : null
  fastify.addHook('onResponse', async request => {
    let userId: number | null | undefined
    try {
      userId = track(request)
    } catch (err) {
      request.log.warn({ err }, 'activity: track() threw; request not marked')
      return
    }
    if (userId === null || userId === undefined) return
    const today = activity.today()
    if (marked?.get(userId) === today) return
    try {
      await activity.mark(userId)
      marked?.set(userId, today)
    } catch (err) {
      if (!outage.request(request, err, 'activity not marked')) request.log.warn({ err }, 'activity: mark failed')
    }
  })
}

export const redisActivityPlugin = fp(redisActivity, {
  name: 'fastify-redis-patterns-activity',
  fastify: '5.x'
})

export { redisActivityPlugin as redisActivity }
export default redisActivityPlugin

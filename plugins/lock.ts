// Fastify adapter of the lock core: decorates `fastify.lock` (a Locker) and serialises the
// requests of routes that declare `config: { lock: { key, ttl, wait } }`.
//
// Register it before the routes it should see (it reads route config in an onRoute hook).
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler, preHandlerHookHandler, onResponseHookHandler } from 'fastify'
import { Locker } from '../lib/lock/locker.js'
import type { Lease } from '../lib/lock/lease.js'
import type { LockerOptions } from '../lib/lock/options.js'
import type { RedisClient } from '../lib/shared/connection.js'
import { invalid, optBool, optDuration, optFunction, rejectUnknown, type Duration } from '../lib/shared/options.js'
import { resolveClients } from './shared/redis-client.js'
import type { RouteCallback, RouteRequest } from './shared/route-request.js'
import { checkAtStartup } from './shared/startup.js'
import { outageLog } from './shared/outage-log.js'
import { announceCore } from './shared/cores.js'

export interface RouteLockConfig {
  /** The resource to lock for this request (e.g. `req => 'order:' + req.params.id`). */
  key: RouteCallback<[request: RouteRequest], string>
  /** Lease TTL, ms or a duration string (default: the plugin's `ttl`). */
  ttl?: Duration
  /**
   * How long (ms or a duration string) a request waits for the lock before answering 409 FRP_LOCK_NOT_ACQUIRED.
   * `false` or 0: answer 409 at once. `true`: the plugin's `waitTimeout`. Default: the plugin's
   * `routeWait`.
   */
  wait?: Duration | boolean
  /** Extend the lease while the request runs (default false: the lease ends at its TTL). */
  autoExtend?: boolean
}

/**
 * The Locker's options, except `fencing`: `fastify.locker`'s leases are typed as fenced, so an
 * unfenced acquisition is asked for per call (`fastify.locker.acquire(key, { fencing: false })`).
 */
export interface RedisLockOptions extends Omit<LockerOptions, 'fencing'> {
  /** Use `fastify.redis[namespace]` (an @fastify/redis namespace). */
  namespace?: string
  /** Use this client (or, for the Redlock quorum mode, these clients of independent masters). */
  client?: RedisClient | RedisClient[]
  /** Default `wait` of route locks, ms or a duration string (default: `waitTimeout`). */
  routeWait?: Duration
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The Locker (also available as `fastify.lock` at run time; Fastify's own types reserve
     * `lock` for the WebDAV LOCK route shorthand, so TypeScript code uses `locker`).
     */
    locker: Locker
  }
  interface FastifyContextConfig {
    lock?: RouteLockConfig
  }
  interface FastifyRequest {
    /** The lease held for this request on a route with `config.lock` (null elsewhere). */
    lockLease: Lease | null
  }
}

interface RouteLock {
  key: (request: FastifyRequest) => string
  options: { ttl: number, waitTimeout: number }
  autoExtend: boolean
}

const kStop = Symbol('frp.lock.stopKeepAlive')

function routeLock (config: unknown, where: string, defaults: { ttl: number, wait: number, waitTimeout: number }): RouteLock | null {
  if (config === undefined) return null
  if (config === null || typeof config !== 'object') throw invalid(where, 'must be an object { key, ttl?, wait?, autoExtend? }')
  const c = config as Partial<RouteLockConfig>
  rejectUnknown(where, c, ['key', 'ttl', 'wait', 'autoExtend'])
  const key = optFunction<(request: FastifyRequest) => string>(`${where}.key`, c.key)
  if (key === undefined) throw invalid(`${where}.key`, 'is required (a function of the request returning the resource name)')
  let wait: number
  if (c.wait === true) wait = defaults.waitTimeout
  else if (c.wait === false) wait = 0
  else wait = optDuration(`${where}.wait`, c.wait, defaults.wait, 0, 2 ** 31 - 1)
  return {
    key,
    options: { ttl: optDuration(`${where}.ttl`, c.ttl, defaults.ttl, 10, 2 ** 31 - 1), waitTimeout: wait },
    autoExtend: optBool(`${where}.autoExtend`, c.autoExtend, false)
  }
}

async function redisLock (fastify: FastifyInstance, opts: RedisLockOptions): Promise<void> {
  const { namespace: _ns, client: _client, routeWait, ...lockerOptions } = opts
  if ('fencing' in lockerOptions) throw invalid('redisLock.fencing', 'is an option of each call (fastify.locker.acquire(key, { fencing: false })): fastify.locker\'s leases are typed as fenced')
  const redis = resolveClients(fastify, 'redisLock', opts)
  const locker = new Locker(redis, lockerOptions)
  announceCore(fastify, 'locker', locker)
  const defaults = {
    ttl: locker.options.ttl,
    waitTimeout: locker.options.waitTimeout,
    wait: optDuration('redisLock.routeWait', routeWait, locker.options.waitTimeout, 0, 2 ** 31 - 1)
  }
  const whileDown = 'acquiring a lock fails with 503 FRP_REDIS_UNAVAILABLE or FRP_REDIS_TIMEOUT'
  const clients = Array.isArray(redis) ? redis : [redis]
  await checkAtStartup(fastify, clients, { pattern: 'lock', namespace: opts.namespace, needsNoEviction: true, whileDown })
  // Counts the route locks' failed acquires and releases (the app's own calls fail to the app).
  const outage = outageLog(fastify, { pattern: 'lock', whileDown, clients })

  fastify.decorate('locker', locker)
  // `fastify.lock` is the documented name. Fastify's types declare a WebDAV `lock` route
  // shorthand that Fastify 5 does not define at run time; if a version ever does, keep it.
  if (Reflect.get(fastify, 'lock') === undefined) fastify.decorate('lock' as 'locker', locker)
  else fastify.log.warn('lock: fastify.lock is taken; use fastify.locker')
  fastify.decorateRequest('lockLease', null)
  fastify.addHook('onClose', async () => {
    await locker.close().catch((err: unknown) => fastify.log.warn({ err }, 'lock: close failed'))
  })

  async function release (request: FastifyRequest): Promise<void> {
    const lease = request.lockLease
    if (lease === null) return
    const stop = (request as unknown as Record<symbol, (() => void) | undefined>)[kStop]
    stop?.()
    try {
      await lease.release()
    } catch (err) {
      // Expired or taken over (the request outlived its TTL), or Redis failed: the lock ends at
      // its TTL either way; the response is already decided.
      if (!outage.request(request, err, `lock ${lease.key} not released (it ends at its TTL)`)) request.log.warn({ err, lock: lease.key }, 'lock: release failed')
    }
  }

  fastify.addHook('onRoute', routeOptions => {
    const lock = routeLock(routeOptions.config?.lock, `route ${routeOptions.method} ${routeOptions.url} config.lock`, defaults)
    if (lock === null) return

    const acquire: preHandlerHookHandler = async function (request: FastifyRequest) {
      const name = lock.key(request)
      try {
        request.lockLease = await locker.acquire(name, lock.options)
      } catch (err) {
        outage.request(request, err, `lock ${name} not acquired (503)`)
        throw err
      }
      if (lock.autoExtend) (request as unknown as Record<symbol, () => void>)[kStop] = request.lockLease.keepAlive()
    }
    const onSend: onSendHookHandler = async function (request: FastifyRequest, _reply: FastifyReply, payload: unknown) {
      await release(request)
      return payload
    }
    const onResponse: onResponseHookHandler = async function (request: FastifyRequest) {
      await release(request)
    }
    routeOptions.preHandler = [acquire, ...toArray(routeOptions.preHandler)]
    routeOptions.onSend = [...toArray(routeOptions.onSend), onSend]
    routeOptions.onResponse = [...toArray(routeOptions.onResponse), onResponse]
  })
}

function toArray<T> (v: T | T[] | undefined): T[] {
  if (v === undefined) return []
  return Array.isArray(v) ? v : [v]
}

export const redisLockPlugin = fp(redisLock, {
  name: 'fastify-redis-patterns-lock',
  fastify: '5.x'
})

export { redisLockPlugin as redisLock }
export default redisLockPlugin

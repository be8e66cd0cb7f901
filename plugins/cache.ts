// Fastify adapter of the cache: decorates `fastify.cache` and adds a route-level response cache
// (`config: { cache: { ttl, key, vary, tags, staleWhileRevalidate } }`). Register it before the
// routes it should cache (routes are wired in an onRoute hook, so uncached routes pay nothing).
import fp from 'fastify-plugin'
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, onSendHookHandler, preHandlerHookHandler, RouteOptions } from 'fastify'
import { Cache, CACHE_OPTION_NAMES, type CacheOptions } from '../lib/cache/index.js'
import { cacheInternals, type CacheInternals, type Effective, type Lease } from '../lib/cache/internals.js'
import { bodyOf, decodeResponse, encodeResponse, etagMatches, isStoredResponse, toStoredResponse, type StoredResponse } from './cache/response.js'
import { resolveClient } from './shared/redis-client.js'
import type { RouteCallback, RouteRequest } from './shared/route-request.js'
import { checkAtStartup } from './shared/startup.js'
import { outageLog } from './shared/outage-log.js'
import { announceCore, type RouteCacheCounts } from './shared/cores.js'
import { invalid, optBool, optDuration, optDurationOrUndefined, optFunction, optString, rejectUnknown, type Duration } from '../lib/shared/options.js'
import { RouteKey } from './cache/route-key.js'
import { storability } from './cache/storable.js'
import { asksForOrigin, cacheControlHeader, type RouteCacheControl } from './cache/cache-control.js'
import type { RedisClient } from '../lib/shared/connection.js'

export interface RedisCacheOptions extends CacheOptions {
  /** The @fastify/redis namespace to use (default: the unnamed client). */
  namespace?: string
  /** An ioredis Redis or Cluster to use instead of `fastify.redis`. */
  client?: RedisClient
  /**
   * Response headers the route cache never stores, beside the built-in per-request ones
   * (`RateLimit*`, `X-RateLimit-*`, `Retry-After`, hop-by-hop headers; a `Set-Cookie` response is
   * not stored at all). Hooks that set them run on hits too, so a hit carries the current value.
   */
  uncachedHeaders?: readonly string[]
}

export interface RouteCacheConfig {
  /** Fresh TTL, ms or a duration string (default: the cache's ttl). */
  ttl?: Duration
  /**
   * Cache key of a request (default: the URL with its query string). A route with a `key` or
   * `tags` function is looked up after validation (preHandler), so the function sees the request
   * as the handler does: coerced params, querystring and headers.
   */
  key?: RouteCallback<[request: RouteRequest], string>
  /** Request headers that vary the response: added to the key (digested). Varying on `authorization` or `cookie` allows caching such requests. */
  vary?: readonly string[]
  /** Keep the `Host` header in the key (default true), so host-based tenants never share entries. */
  varyHost?: boolean
  /** Tags of the entry, or a function of the (validated) request returning them. */
  tags?: readonly string[] | RouteCallback<[request: RouteRequest], readonly string[]>
  staleWhileRevalidate?: Duration
  /** L1 life, ms or a duration string (0 keeps responses of this route out of L1). */
  l1Ttl?: Duration
  /**
   * Send `Cache-Control` with the responses this cache stores and serves, for browsers and CDNs:
   * `true` sends `public, max-age=<ttl>` (`private` when the route varies on `authorization` or
   * `cookie`). A `Cache-Control` set by the handler always wins. Default: not sent.
   */
  cacheControl?: boolean | RouteCacheControl
  /**
   * Honour a request's `Cache-Control: no-cache` (or `max-age=0`, `Pragma: no-cache`): skip the
   * stored entry and refill it from the handler, one such fill per key at a time. Default false:
   * a client must not be able to force origin load.
   */
  honorNoCache?: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    cache: Cache
  }
  interface FastifyContextConfig {
    cache?: RouteCacheConfig | boolean
  }
}

interface Prepared {
  key: RouteKey
  /** `Vary` response header for downstream caches ('' when the route varies on nothing). */
  vary: string
  varyAuth: boolean
  varyCookie: boolean
  tags: ((request: FastifyRequest) => readonly string[]) | null
  /** True when a callback must see the validated request: the lookup runs in preHandler. */
  afterValidation: boolean
  /** `Cache-Control` sent with stored and served responses that carry none of their own, or null. */
  cacheControl: string | null
  honorNoCache: boolean
  /** Outcomes of this route's requests (shared by the GET and HEAD routes of one URL). */
  counts: RouteCacheCounts
  opts: Effective
}

const kLease = Symbol('frp.cache.lease')
const kWired = Symbol('frp.cache.wired')
const REFRESH_HEADER = 'x-frp-cache-refresh'
type Req = FastifyRequest & { [kLease]?: Lease | null }

function prepare (internals: CacheInternals, config: RouteCacheConfig | true, url: string, counts: RouteCacheCounts): Prepared {
  const c: RouteCacheConfig = config === true ? {} : config
  const where = `route ${url} config.cache`
  rejectUnknown(where, c, ['ttl', 'key', 'vary', 'varyHost', 'tags', 'staleWhileRevalidate', 'l1Ttl', 'cacheControl', 'honorNoCache'])
  const keyFn = optFunction<(r: FastifyRequest) => string>(`${where}.key`, c.key)
  const vary = c.vary ?? []
  if (!Array.isArray(vary)) throw invalid(`${where}.vary`, 'must be an array of header names')
  const names = vary.map((v, i) => optString(`${where}.vary[${i}]`, v, '').toLowerCase())
  const varyHost = optBool(`${where}.varyHost`, c.varyHost, true)
  let tags: Prepared['tags'] = null
  let staticTags: readonly string[] = []
  // The route's own request type is the callback's business: at run time it is the request.
  if (typeof c.tags === 'function') tags = c.tags as (request: FastifyRequest) => readonly string[]
  else if (c.tags !== undefined) staticTags = c.tags
  const opts: Effective = {
    ...internals.effective({
      ttl: optDuration(`${where}.ttl`, c.ttl, internals.options.ttl, 1),
      staleWhileRevalidate: optDuration(`${where}.staleWhileRevalidate`, c.staleWhileRevalidate, 0),
      l1Ttl: optDurationOrUndefined(`${where}.l1Ttl`, c.l1Ttl),
      tags: staticTags
    }),
    // Redis holds the compact string form; L1 and callers get the parsed response.
    revive: decodeResponse
  }
  const key = new RouteKey(keyFn ?? ((r: FastifyRequest) => r.url), names, varyHost)
  const varyAuth = names.includes('authorization')
  const varyCookie = names.includes('cookie')
  return {
    key,
    vary: names.join(', '),
    varyAuth,
    varyCookie,
    tags,
    afterValidation: keyFn !== undefined || tags !== null,
    cacheControl: cacheControlHeader(`${where}.cacheControl`, c.cacheControl, { ttl: opts.ttl, staleWhileRevalidate: opts.staleWhileRevalidate, personal: varyAuth || varyCookie }),
    honorNoCache: optBool(`${where}.honorNoCache`, c.honorNoCache, false),
    counts,
    opts
  }
}

function age (internals: CacheInternals, createdAt: number): string {
  const s = Math.floor((internals.redisNow() - createdAt) / 1000)
  return s > 0 ? String(s) : '0'
}

function sendStored (internals: CacheInternals, p: Prepared, request: FastifyRequest, reply: FastifyReply, r: StoredResponse, createdAt: number, xcache: string): void {
  if (xcache === 'HIT') p.counts.hit++
  else p.counts.stale++
  // The handler's own Cache-Control was stored with the response and is replayed; ours otherwise.
  const cc = r.h['cache-control'] ?? p.cacheControl
  const inm = request.headers['if-none-match']
  if (inm !== undefined && etagMatches(inm, r.e)) {
    // A 304 carries what the 200 would have (RFC 9110 §15.4.5), so downstream freshness renews.
    reply.code(304).header('etag', r.e).header('x-cache', xcache).header('age', age(internals, createdAt))
    if (cc !== null) reply.header('cache-control', cc)
    reply.send()
    return
  }
  reply.code(r.s).headers(r.h).header('etag', r.e).header('x-cache', xcache).header('age', age(internals, createdAt))
  if (cc !== null && r.h['cache-control'] === undefined) reply.header('cache-control', cc)
  reply.send(bodyOf(r))
}

async function redisCachePlugin (fastify: FastifyInstance, opts: RedisCacheOptions): Promise<void> {
  const { namespace, client, uncachedHeaders, ...cacheOpts } = opts
  rejectUnknown('redisCache', opts, [...CACHE_OPTION_NAMES, 'namespace', 'client', 'uncachedHeaders'])
  if (uncachedHeaders !== undefined && !Array.isArray(uncachedHeaders)) throw invalid('redisCache.uncachedHeaders', 'must be an array of header names')
  const uncached = new Set((uncachedHeaders ?? []).map((h, i) => optString(`redisCache.uncachedHeaders[${i}]`, h, '').toLowerCase()))
  const redis = resolveClient(fastify, 'redisCache', { client, namespace })
  const whileDown = 'calls fall back to the origin (handler or fetcher)'
  const outage = outageLog(fastify, { pattern: 'cache', whileDown, clients: [redis] })
  // The cache logs each failure it falls back from: an outage's are counted instead (one warn);
  // anything else (a value the codec refused, a script error) is logged as before.
  const logger = {
    warn: (obj: unknown, msg?: string) => { if (!outage.failed((obj as { err?: unknown } | null)?.err)) fastify.log.warn(obj, msg) }
  }
  const cache = new Cache(redis, { logger, ...cacheOpts })
  announceCore(fastify, 'cache', cache)
  fastify.addHook('onClose', async () => {
    await cache.close().catch((err: unknown) => fastify.log.warn({ err }, 'cache: close failed'))
  })
  // Redis down at boot: the cache starts anyway and falls back to the origin (fail-open); its
  // subscriber connects when Redis does, so ready is not awaited then.
  if (await checkAtStartup(fastify, [redis], { pattern: 'cache', namespace, needsNoEviction: false, whileDown })) await cache.ready
  fastify.decorate('cache', cache)
  // The route cache works at the lease level (it fills from the reply in onSend, not a fetcher).
  const internals = cacheInternals(cache)

  // A background refresh (stale-while-revalidate) replays the request through inject() with this
  // header; the per-process secret keeps clients from forcing refreshes.
  const secret = randomBytes(16).toString('base64url')

  function refreshInBackground (request: FastifyRequest): void {
    const headers = { ...request.headers, [REFRESH_HEADER]: secret }
    delete headers['if-none-match']
    fastify.inject({ method: 'GET', url: request.url, headers }).catch(err => internals.fail(err, request.url))
  }

  // One set of counters per cached URL (GET and HEAD share it), read by the metrics plugin.
  const routeCounts = new Map<string, RouteCacheCounts>()

  function wire (route: RouteOptions): void {
    const config = route.config?.cache
    if (config === undefined || config === false || config === null) return
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!methods.some(m => m === 'GET' || m === 'HEAD')) return
    if ((route as unknown as Record<symbol, boolean>)[kWired]) return
    let counts = routeCounts.get(route.url)
    if (counts === undefined) {
      counts = { hit: 0, miss: 0, bypass: 0, stale: 0 }
      routeCounts.set(route.url, counts)
      announceCore(fastify, 'routeCache', { route: route.url, counts })
    }
    const p = prepare(internals, config as RouteCacheConfig | true, route.url, counts)
    const optsFor = (request: FastifyRequest): Effective => p.tags === null ? p.opts : { ...p.opts, tags: p.tags(request) }

    // This request fills the entry: the response is captured in onSend.
    function holdLease (request: FastifyRequest, reply: FastifyReply, lease: Lease): void {
      p.counts.miss++
      (request as Req)[kLease] = lease
      if (p.vary !== '') reply.header('vary', p.vary) // stored with the response, replayed on hits
      // A request that ends without onSend (client gone) must not keep waiters waiting.
      reply.raw.once('close', () => {
        if ((request as Req)[kLease] === lease) {
          (request as Req)[kLease] = null
          internals.abandon(lease, true).catch(() => {})
        }
      })
      reply.header('x-cache', 'MISS')
    }

    function serveOrFill (request: FastifyRequest, reply: FastifyReply, key: string, done: (err?: Error) => void): void {
      const hit = internals.peek(key)
      if (hit !== undefined && isStoredResponse(hit.value)) {
        sendStored(internals, p, request, reply, hit.value, hit.createdAt, 'HIT')
        return
      }
      // Concurrent requests for one key share one Redis read (per-request tags: each its own).
      const lookup = p.tags === null ? internals.lookupShared(key, p.opts) : internals.lookup(key, optsFor(request))
      lookup.then(r => {
        if (r.status === 'lease') {
          if (request.method === 'HEAD') { internals.abandon(r.lease).catch(() => {}); p.counts.miss++; reply.header('x-cache', 'MISS'); done(); return }
          holdLease(request, reply, r.lease)
          done()
          return
        }
        if (r.status === 'bypass' && r.error !== undefined) outage.request(request, r.error, 'served by the handler, uncached', true)
        if (r.status === 'bypass' || !isStoredResponse(r.served.value)) { p.counts.miss++; reply.header('x-cache', 'MISS'); done(); return }
        sendStored(internals, p, request, reply, r.served.value, r.served.createdAt, r.status === 'hit' ? 'HIT' : 'STALE')
        if (r.served.refresh) refreshInBackground(request)
      }, () => {
        // Waited maxWait for another instance's fill: answer from the handler (fail-open).
        p.counts.miss++
        reply.header('x-cache', 'MISS')
        done()
      })
    }

    const onRequest: onRequestHookHandler & preHandlerHookHandler = function (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
      const method = request.method
      if (method !== 'GET' && method !== 'HEAD') { done(); return }
      const h = request.headers
      if ((h.authorization !== undefined && !p.varyAuth) || (h.cookie !== undefined && !p.varyCookie)) {
        p.counts.bypass++
        reply.header('x-cache', 'BYPASS')
        done()
        return
      }
      const key = p.key.of(request)
      // A forged refresh header is treated as an ordinary request: it neither refreshes nor
      // skips the cache (it used to run the handler uncached, letting clients load the origin).
      if (h[REFRESH_HEADER] === secret) {
        internals.refreshLease(key, optsFor(request)).then(lease => {
          if (lease === null) { reply.code(204).send(); return }
          (request as Req)[kLease] = lease
          done()
        }, done)
        return
      }
      // `Cache-Control: no-cache` from the client, where the route allows it: refill from the
      // handler. The refill takes the key's lease, so however many such requests arrive, one runs
      // the handler at a time; the others (lease taken) are answered as usual: the stored entry
      // while it lasts, else they wait for that fill like any miss.
      if (p.honorNoCache && method === 'GET' && asksForOrigin(h)) {
        internals.refreshLease(key, optsFor(request)).then(lease => {
          if (lease === null) { serveOrFill(request, reply, key, done); return }
          holdLease(request, reply, lease)
          done()
        }, () => serveOrFill(request, reply, key, done))
        return
      }
      serveOrFill(request, reply, key, done)
    }

    const onSend: onSendHookHandler = function (request, reply, payload, done) {
      const lease = (request as Req)[kLease]
      if (lease === undefined || lease === null) { done(null, payload); return }
      (request as Req)[kLease] = null
      const headers = reply.getHeaders()
      const verdict = storability(headers, vary => p.key.uncovered(vary))
      const stored = verdict.store ? toStoredResponse(reply.statusCode, headers, payload, uncached) : null
      if (stored === null) {
        if (!verdict.store && verdict.vary !== undefined) {
          p.key.learn(verdict.vary)
          request.log.info({ route: route.url, vary: verdict.vary }, 'cache: route response varies on headers outside its key; keying on them from now on (name them in config.cache.vary to cache from the first request)')
        }
        // Uncacheable (not 2xx, Set-Cookie, private or no-store, varies on headers outside the
        // key, a stream): waiters stop waiting and run the handler.
        internals.abandon(lease, true).then(() => done(null, payload), () => done(null, payload))
        return
      }
      if (!reply.hasHeader('etag')) reply.header('etag', stored.e)
      reply.header('age', '0')
      // Added after the response was captured, so it is never stored: hits send the current one.
      if (p.cacheControl !== null && !reply.hasHeader('cache-control')) reply.header('cache-control', p.cacheControl)
      internals.fulfil(lease, encodeResponse(stored), { passOnRefusal: true, l1Value: stored }).then(() => done(null, payload), () => done(null, payload))
    }

    // After the route's own onRequest hooks (authentication there still runs for hits). Routes
    // whose key or tags are functions of the request look up after validation instead, so those
    // functions see coerced values: `/users/01`, `/users/1.0` and `/users/1` all carry the tag
    // `user:1` and are invalidated together (they were tagged `user:01`, … before).
    if (p.afterValidation) route.preHandler = [...toArray(route.preHandler), onRequest]
    else route.onRequest = [...toArray(route.onRequest), onRequest]
    route.onSend = [...toArray(route.onSend), onSend]
    ;(route as unknown as Record<symbol, boolean>)[kWired] = true
  }

  fastify.addHook('onRoute', wire)
}

function toArray<T> (v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v]
}

/** The cache plugin: `app.register(redisCache, { client, ttl, l1, ... })` (or after @fastify/redis, without `client`). */
export const redisCache = fp(redisCachePlugin, {
  name: 'fastify-redis-patterns-cache',
  fastify: '5.x'
})

export default redisCache
export { Cache }

// redisRateLimit: a Fastify adapter over RateLimiter. One hook for the whole app (so routes
// declared before or after registration are both limited); each route's config is normalized
// once (at onRoute, or at its first request for routes declared earlier) and cached on the
// route's config object, so a request costs one property read, one key, one script call.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { resolveClient } from './shared/redis-client.js'
import type { RouteRequest } from './shared/route-request.js'
import { checkAtStartup } from './shared/startup.js'
import { outageLog } from './shared/outage-log.js'
import { skipDefaultErrorLog } from './shared/default-error-log.js'
import { announceCore } from './shared/cores.js'
import { FRP_RATE_LIMIT_KEY } from '../lib/shared/errors.js'
import { invalid, optBool, optEnum, optFunction, optInt, rejectUnknown, type Duration } from '../lib/shared/options.js'
import type { RedisClient } from '../lib/shared/connection.js'
import { RateLimiter } from '../lib/rate-limit/rate-limiter.js'
import { normalizeCommandTimeout, type PolicyInput } from '../lib/rate-limit/options.js'
import { isRule, normalizeRule, type RateLimitPolicyOptions, type RateLimitRule, type Algorithm } from '../lib/rate-limit/policy.js'
import type { RateLimitResult } from '../lib/rate-limit/result.js'
import { ipKey } from '../lib/rate-limit/ip.js'
import { addRefusalSchemas, limitedBody, limitedError, limitedResponseSchema, makeObservedCheck, STORE_DOWN_BODY, storeDownError, storeDownResponseSchema } from './rate-limit/refusal.js'
import { normalizeAllowList, normalizeRoute, type AllowList, type CostFunction, type KeyGenerator, type Route, type RouteRateLimit } from './rate-limit/route-rule.js'

export interface RedisRateLimitOptions {
  /** Default policy shorthand: `limit` units per `window` (ms or a duration string) with `algorithm` (and `burst` for gcra). */
  limit?: number
  window?: Duration
  algorithm?: Algorithm
  burst?: number
  name?: string
  /** Default policies (instead of the shorthand): all must allow a request. */
  policies?: RateLimitPolicyOptions | RateLimitPolicyOptions[]
  /** Apply the default policies to every route without `config.rateLimit` (default true). */
  global?: boolean
  /** Hook that checks the limit (default 'onRequest'). */
  hook?: 'onRequest' | 'preValidation' | 'preHandler'
  /** Default key: `request.ip` (honours trustProxy), IPv6 grouped by /64 (canonical: `2001:db8::/64`). */
  keyGenerator?: KeyGenerator<FastifyRequest>
  /** Never limited: a list of IP addresses and CIDR ranges (any spelling, matched against `request.ip`) and keys, or a function (request, key) => boolean. */
  allowList?: AllowList<FastifyRequest>
  /** Units a request consumes (default 1). */
  cost?: number | CostFunction<FastifyRequest>
  /** `RateLimit-Policy` and `RateLimit` headers (draft-ietf-httpapi-ratelimit-headers-11). Default true. */
  headers?: boolean
  /** `X-RateLimit-Limit/Remaining/Reset` headers. Default false. */
  legacyHeaders?: boolean
  /** Status of a limited request (default 429). */
  statusCode?: number
  /**
   * Body of a limited request. By default a limited request is an FRP_RATE_LIMITED error (with
   * `statusCode`, `retryAfterMs`, `policy` and `headers`) handed to the app's error handler;
   * Fastify's default handler writes it as JSON. Return an Error to send it through the error
   * handler too; anything else is sent as the body, with `statusCode`.
   */
  errorResponse?: (request: FastifyRequest, result: RateLimitResult) => unknown
  /** Called for every limited request (logging, metrics, bans). Errors (thrown or rejected) are logged. */
  onExceeded?: (request: FastifyRequest, key: string, result: RateLimitResult) => void | Promise<void>
  /** Redis failed or timed out: 'allow' through the in-memory insurance limiter (default) or 'deny' with 503. */
  onRedisError?: 'allow' | 'deny'
  insurance?: false | { instances?: number, maxKeys?: number }
  blockCache?: boolean | { maxKeys?: number }
  /** One script call for the checks of an event-loop turn (default true; per key on a Cluster). See RateLimiterOptions.batch. */
  batch?: boolean | { maxChecks?: number }
  /** Longest wait for Redis per request, ms or a duration string (default 1000). */
  commandTimeout?: Duration
  /** @deprecated since 0.2: use `commandTimeout` (warns once, FRP_DEP001). */
  timeout?: Duration
  prefix?: string
  /** @fastify/redis namespace of the client to use. */
  namespace?: string
  /** An explicit ioredis client (instead of fastify.redis). */
  client?: RedisClient
}

export interface RateLimitDecorator {
  readonly limiter: RateLimiter
  /** Counts one request (of `cost`) for `key` against `policy`; `key` is used verbatim. */
  check (key: string, policy?: PolicyInput, options?: { cost?: number }): Promise<RateLimitResult>
  peek (key: string, policy?: PolicyInput, options?: { cost?: number }): Promise<RateLimitResult>
  /** Forgets `key`. Hook keys are `global|<key>`, `g:<group>|<key>` or `r:<METHOD> <url>|<key>`. */
  reset (key: string): Promise<void>
  /** Normalizes policies once, for repeated check() calls. */
  rule (policy: PolicyInput): RateLimitRule
}

declare module 'fastify' {
  interface FastifyInstance { rateLimit: RateLimitDecorator }
  interface FastifyContextConfig {
    /** Per-route limits; the callbacks get a RouteRequest (params and querystring as records of `unknown`). */
    rateLimit?: RouteRateLimit<RouteRequest>
  }
}

const OPTION_KEYS = ['limit', 'window', 'algorithm', 'burst', 'name', 'policies', 'global', 'hook', 'keyGenerator', 'allowList', 'cost',
  'headers', 'legacyHeaders', 'statusCode', 'errorResponse', 'onExceeded', 'onRedisError', 'insurance', 'blockCache', 'batch', 'commandTimeout', 'timeout',
  'prefix', 'namespace', 'client'] as const

const kRoute = Symbol('frp.rateLimit.route')
/** On the config of a route that declares its own response schemas for refusal statuses: those statuses. */
const kOwnSchemas = Symbol('frp.rateLimit.ownSchemas')
type RouteConfig = Record<string | symbol, unknown> & { [kRoute]?: Route<FastifyRequest> | null, [kOwnSchemas]?: Set<number> }

const defaultKey: KeyGenerator<FastifyRequest> = request => ipKey(request.ip)
const ipOf = (request: FastifyRequest): string => request.ip

function defaultPolicies (o: RedisRateLimitOptions): PolicyInput | undefined {
  const shorthand = o.limit !== undefined || o.window !== undefined || o.algorithm !== undefined || o.burst !== undefined || o.name !== undefined
  if (shorthand && o.policies !== undefined) throw invalid('redisRateLimit.policies', 'give either policies or limit/window, not both')
  if (o.policies !== undefined) return o.policies
  if (!shorthand) return undefined
  const p: Record<string, unknown> = {}
  for (const k of ['limit', 'window', 'algorithm', 'burst', 'name'] as const) if (o[k] !== undefined) p[k] = o[k]
  return p as unknown as RateLimitPolicyOptions
}

async function rateLimitPlugin (fastify: FastifyInstance, opts: RedisRateLimitOptions): Promise<void> {
  rejectUnknown('redisRateLimit', opts, OPTION_KEYS)
  const policies = defaultPolicies(opts)
  const globalRule = policies === undefined ? null : normalizeRule(opts.policies !== undefined ? 'redisRateLimit.policies' : 'redisRateLimit', policies, { scoped: true })
  const global = optBool('redisRateLimit.global', opts.global, true)
  const hook = optEnum('redisRateLimit.hook', opts.hook, ['onRequest', 'preValidation', 'preHandler'] as const, 'onRequest')
  const headers = optBool('redisRateLimit.headers', opts.headers, true)
  const legacyHeaders = optBool('redisRateLimit.legacyHeaders', opts.legacyHeaders, false)
  const statusCode = optInt('redisRateLimit.statusCode', opts.statusCode, 429, 400, 599)
  const errorResponse = optFunction<(request: FastifyRequest, result: RateLimitResult) => unknown>('redisRateLimit.errorResponse', opts.errorResponse)
  const onExceeded = optFunction<(request: FastifyRequest, key: string, result: RateLimitResult) => void | Promise<void>>('redisRateLimit.onExceeded', opts.onExceeded)
  const onRedisError = optEnum('redisRateLimit.onRedisError', opts.onRedisError, ['allow', 'deny'] as const, 'allow')
  const commandTimeout = normalizeCommandTimeout(opts, 'redisRateLimit')
  const defaults = {
    rule: globalRule,
    keyGenerator: optFunction('redisRateLimit.keyGenerator', opts.keyGenerator, defaultKey),
    cost: opts.cost,
    allowList: normalizeAllowList<FastifyRequest>('redisRateLimit.allowList', opts.allowList, ipOf),
    ipOf
  }
  const groups = new Map<string, string>()
  const globalRoute = global && globalRule !== null ? normalizeRoute<FastifyRequest>('redisRateLimit', { policies: policies as RateLimitPolicyOptions[] }, 'global', defaults, groups) : null
  // normalizeRoute gives a route scope to explicit policies; the default policies count across every route.
  if (globalRoute !== null) (globalRoute as { scope: string }).scope = 'global|'

  const client = resolveClient(fastify, 'redisRateLimit', opts)
  const limiter = new RateLimiter(client, {
    prefix: opts.prefix, commandTimeout, onRedisError, insurance: opts.insurance, blockCache: opts.blockCache, batch: opts.batch, policies: globalRule ?? undefined
  })
  announceCore(fastify, 'rateLimiter', limiter)
  // The hook has a failure policy for exactly this case: start, and apply it until Redis answers.
  const whileDown = onRedisError === 'deny'
    ? "limited requests answer 503 (onRedisError 'deny')"
    : opts.insurance === false
      ? "requests are not limited (onRedisError 'allow', no insurance)"
      : "requests are limited per instance by the in-memory insurance limiter (onRedisError 'allow')"
  await checkAtStartup(fastify, [client], {
    pattern: 'rate-limit', namespace: opts.namespace, needsNoEviction: false, timeout: Math.max(limiter.commandTimeout, 2000), whileDown
  })
  // Every failed store call is counted (the app's own checks too). The error event comes just
  // before the check's degraded result: the request's debug line names it.
  const outage = outageLog(fastify, { pattern: 'rate-limit', whileDown, clients: [client] })
  let storeError: unknown = null
  limiter.on('error', err => { storeError = err; outage.failed(err) })

  function resolve (config: RouteConfig, method: unknown, url: unknown): Route<FastifyRequest> | null {
    if (config.rateLimit === undefined) return globalRoute
    const routeId = `${method === 'HEAD' ? 'GET' : String(method)} ${String(url)}`
    return normalizeRoute<FastifyRequest>(`config.rateLimit of ${routeId}`, config.rateLimit, routeId, defaults, groups)
  }

  // What a limited route may answer besides its own statuses: documented for OpenAPI, and the
  // schema Fastify's default error handler writes the refusal with (the default body only: a
  // custom errorResponse body must not pass through our schema).
  const refusals: Record<number, Record<string, unknown>> = {}
  if (errorResponse === undefined) refusals[statusCode] = limitedResponseSchema
  if (onRedisError === 'deny') refusals[503] = storeDownResponseSchema

  // Routes declared after registration: validate at declaration, so a bad policy fails at startup.
  fastify.addHook('onRoute', routeOptions => {
    const config = routeOptions.config as RouteConfig | undefined
    let route: Route<FastifyRequest> | null = globalRoute
    if (config?.rateLimit !== undefined) {
      route = resolve(config, Array.isArray(routeOptions.method) ? routeOptions.method.join(',') : routeOptions.method, routeOptions.url)
      config[kRoute] = route
    }
    if (route === null) return
    announceCore(fastify, 'rateLimitRoute', { limiter, method: Array.isArray(routeOptions.method) ? routeOptions.method.join(',') : routeOptions.method, url: routeOptions.url, scope: route.scope, rule: route.rule })
    const { ownSchemas } = addRefusalSchemas(routeOptions as Parameters<typeof addRefusalSchemas>[0], refusals)
    if (ownSchemas.size > 0) routeOptions.config = { ...routeOptions.config, [kOwnSchemas]: ownSchemas } as typeof routeOptions.config
  })

  function keyOf (route: Route<FastifyRequest>, request: FastifyRequest): string {
    let key: unknown
    try {
      key = route.keyGenerator(request)
    } catch (err) {
      throw Object.assign(new FRP_RATE_LIMIT_KEY(`keyGenerator threw: ${(err as Error)?.message ?? String(err)}`), { cause: err })
    }
    if (typeof key !== 'string' || key.length === 0) throw new FRP_RATE_LIMIT_KEY(`keyGenerator must return a non-empty string, got ${key === '' ? 'an empty string' : typeof key}`)
    return key
  }

  function costOf (route: Route<FastifyRequest>, request: FastifyRequest): number {
    const cost = (route.cost as CostFunction<FastifyRequest>)(request)
    if (!Number.isInteger(cost) || cost < 1) throw new FRP_RATE_LIMIT_KEY(`cost must return a positive integer, got ${String(cost)}`)
    return cost
  }

  function setHeaders (reply: FastifyReply, route: Route<FastifyRequest>, result: RateLimitResult): void {
    if (headers) {
      reply.header('ratelimit-policy', route.rule.policyHeader)
      reply.header('ratelimit', result.policy.headerPrefix + result.remaining + ';t=' + Math.ceil(result.resetMs / 1000))
    }
    if (legacyHeaders) {
      reply.header('x-ratelimit-limit', result.limit)
      reply.header('x-ratelimit-remaining', result.remaining)
      reply.header('x-ratelimit-reset', Math.ceil(result.resetMs / 1000))
    }
  }

  /** The headers of a limited response, set on the reply and carried by the error for a custom error handler. */
  function refusalHeaders (reply: FastifyReply, route: Route<FastifyRequest>, result: RateLimitResult): Record<string, string | number> {
    const h: Record<string, string | number> = {}
    if (headers) {
      h['ratelimit-policy'] = route.rule.policyHeader
      h.ratelimit = result.policy.headerPrefix + result.remaining + ';t=' + Math.ceil(result.resetMs / 1000)
    }
    if (legacyHeaders) {
      h['x-ratelimit-limit'] = result.limit
      h['x-ratelimit-remaining'] = result.remaining
      h['x-ratelimit-reset'] = Math.ceil(result.resetMs / 1000)
    }
    h['retry-after'] = Math.max(1, Math.ceil(result.retryAfterMs / 1000))
    reply.headers(h)
    return h
  }

  function notifyExceeded (request: FastifyRequest, key: string, result: RateLimitResult): void {
    if (onExceeded === undefined) return
    try {
      const done = onExceeded(request, key, result) as unknown
      // An async onExceeded: its rejection is logged too, never left unhandled.
      if (typeof (done as Promise<unknown> | undefined)?.then === 'function') {
        (done as Promise<unknown>).then(undefined, err => { request.log.error({ err }, 'rate-limit: onExceeded threw') })
      }
    } catch (err) { request.log.error({ err }, 'rate-limit: onExceeded threw') }
  }

  /**
   * A refused request: the coded error for Fastify's error handler (the app's setErrorHandler,
   * else the default one, which writes it with the route's refusal schema), or the body a custom
   * errorResponse built.
   */
  function refuse (request: FastifyRequest, reply: FastifyReply, route: Route<FastifyRequest>, key: string, result: RateLimitResult, done: (err?: Error) => void): void {
    if (result.degraded && onRedisError === 'deny') {
      // On the reply too, as the 429's headers are, for an error handler that writes its own reply.
      reply.header('retry-after', 1)
      if (observed(request, 503)) {
        const err = storeDownError()
        skipDefaultErrorLog(request, err)
        done(err)
      } else reply.code(503).header('content-type', 'application/json; charset=utf-8').send(STORE_DOWN_BODY)
      return
    }
    const h = refusalHeaders(reply, route, result)
    notifyExceeded(request, key, result)
    if (errorResponse === undefined) {
      if (observed(request, statusCode)) done(limitedError(result, statusCode, h))
      else reply.code(statusCode).header('content-type', 'application/json; charset=utf-8').send(limitedBody(result, statusCode))
      return
    }
    const body = errorResponse(request, result)
    if (body instanceof Error) {
      done(body)
      return
    }
    // Replied: a callback-style hook that has sent the reply does not call done.
    reply.code(statusCode).send(body)
  }

  // request.routeOptions builds a new object on every access (3% of a request's CPU in our
  // profile). Fastify keeps the route context under an own symbol of the request; find it once,
  // check that it yields the same config object, and fall back to routeOptions otherwise.
  let contextSymbol: symbol | null | undefined
  function configOf (request: FastifyRequest): RouteConfig {
    if (contextSymbol !== undefined) {
      return (contextSymbol === null ? request.routeOptions.config : (request as unknown as Record<symbol, { config: unknown }>)[contextSymbol].config) as RouteConfig
    }
    const config = request.routeOptions.config
    const sym = Object.getOwnPropertySymbols(request).find(s => s.description === 'fastify.context')
    const ctx = sym === undefined ? undefined : (request as unknown as Record<symbol, { config?: unknown } | undefined>)[sym]
    contextSymbol = sym !== undefined && ctx?.config === config ? sym : null
    return config as unknown as RouteConfig
  }

  const observedContext = makeObservedCheck()
  /**
   * Whether the refusal with `status` must go through the error handler: an error handler or
   * onError hook of the app would see it, or the route's own schema for the status shapes it.
   */
  function observed (request: FastifyRequest, status: number): boolean {
    // The hook's configOf() has looked for the context symbol before any refusal.
    if (configOf(request)[kOwnSchemas]?.has(status) === true) return true
    return contextSymbol == null || observedContext((request as unknown as Record<symbol, unknown>)[contextSymbol])
  }

  function finish (request: FastifyRequest, reply: FastifyReply, route: Route<FastifyRequest>, key: string, result: RateLimitResult, done: (err?: Error) => void): void {
    if (result.degraded) outage.request(request, storeError, result.allowed ? 'allowed by the failure policy' : 'refused by the failure policy', true)
    try {
      if (result.allowed) {
        setHeaders(reply, route, result)
      } else {
        refuse(request, reply, route, key, result, done)
        return
      }
    } catch (err) {
      done(err as Error)
      return
    }
    done()
  }

  // Callback style rather than async: the allowed path costs one promise (the script call's own),
  // and a key in the block cache is rejected synchronously, without any promise at all.
  function rateLimitHook (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    let route: Route<FastifyRequest> | null | undefined
    let key: string
    let cost: number
    try {
      const config = configOf(request)
      route = config[kRoute]
      if (route === undefined) {
        // A route declared before registration (or the 404 handler): normalize on first use.
        route = resolve(config, config.method, config.url)
        config[kRoute] = route
      }
      if (route === null) { done(); return }
      key = keyOf(route, request)
      if (route.allowList !== null && route.allowList(request, key)) { done(); return }
      cost = typeof route.cost === 'number' ? route.cost : costOf(route, request)
    } catch (err) {
      done(err as Error)
      return
    }
    const r = route
    limiter.hitFast(route.scope + key, route.rule, cost, (err, result) => {
      if (err !== null) done(err)
      else finish(request, reply, r, key, result as RateLimitResult, done)
    })
  }

  fastify.addHook(hook, rateLimitHook)

  // The decorator's rules are scoped as the hook's are (its keys name their counter, as hook keys
  // do): one short Redis key per key, and peek(`global|<key>`, policy) reads the hook's counter.
  const scoped = (policy: PolicyInput | undefined): RateLimitRule | undefined =>
    policy === undefined || isRule(policy) ? policy : normalizeRule('policies', policy, { scoped: true })
  fastify.decorate('rateLimit', {
    limiter,
    check: (key: string, policy?: PolicyInput, o?: { cost?: number }) => limiter.hit(key, scoped(policy), o?.cost ?? 1),
    peek: (key: string, policy?: PolicyInput, o?: { cost?: number }) => limiter.peek(key, scoped(policy), o?.cost ?? 1),
    reset: (key: string) => limiter.reset(key),
    rule: (policy: PolicyInput) => scoped(policy) as RateLimitRule
  } satisfies RateLimitDecorator)
}

export const redisRateLimit = fp(rateLimitPlugin, {
  name: 'fastify-redis-patterns-rate-limit',
  fastify: '5.x'
})

export default redisRateLimit
export type { RateLimitResult, RateLimitRule, RateLimitPolicyOptions, RouteRateLimit }

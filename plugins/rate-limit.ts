// redisRateLimit: a Fastify adapter over RateLimiter. One hook for the whole app (so routes
// declared before or after registration are both limited); each route's config is normalized
// once (at onRoute, or at its first request for routes declared earlier) and cached on the
// route's config object, so a request costs one property read, one key, one script call.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { resolveClient } from './shared/redis-client.js'
import { checkAtStartup } from './shared/startup.js'
import { FRP_RATE_LIMIT_KEY } from '../lib/shared/errors.js'
import { invalid, optBool, optEnum, optFunction, optInt, rejectUnknown } from '../lib/shared/options.js'
import type { RedisClient } from '../lib/shared/connection.js'
import { RateLimiter } from '../lib/rate-limit/rate-limiter.js'
import { normalizeCommandTimeout, type PolicyInput } from '../lib/rate-limit/options.js'
import { normalizeRule, type RateLimitPolicyOptions, type RateLimitRule, type Algorithm } from '../lib/rate-limit/policy.js'
import type { RateLimitResult } from '../lib/rate-limit/result.js'
import { ipKey } from '../lib/rate-limit/ip.js'
import { normalizeAllowList, normalizeRoute, type AllowList, type CostFunction, type KeyGenerator, type Route, type RouteRateLimit } from './rate-limit/route-rule.js'

export interface RedisRateLimitOptions {
  /** Default policy shorthand: `limit` units per `window` ms with `algorithm` (and `burst` for gcra). */
  limit?: number
  window?: number
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
  /** Body of a limited request (default a JSON error with the retry time). */
  errorResponse?: (request: FastifyRequest, result: RateLimitResult) => unknown
  /** Called for every limited request (logging, metrics, bans). Errors (thrown or rejected) are logged. */
  onExceeded?: (request: FastifyRequest, key: string, result: RateLimitResult) => void | Promise<void>
  /** Redis failed or timed out: 'allow' through the in-memory insurance limiter (default) or 'deny' with 503. */
  onRedisError?: 'allow' | 'deny'
  insurance?: false | { instances?: number, maxKeys?: number }
  blockCache?: boolean | { maxKeys?: number }
  /** One script call for the checks of an event-loop turn (default true; per key on a Cluster). See RateLimiterOptions.batch. */
  batch?: boolean | { maxChecks?: number }
  /** Longest wait for Redis per request, in ms (default 1000). */
  commandTimeout?: number
  /** @deprecated since 0.2: use `commandTimeout` (warns once, FRP_DEP001). */
  timeout?: number
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
  interface FastifyContextConfig { rateLimit?: RouteRateLimit<FastifyRequest> }
}

const OPTION_KEYS = ['limit', 'window', 'algorithm', 'burst', 'name', 'policies', 'global', 'hook', 'keyGenerator', 'allowList', 'cost',
  'headers', 'legacyHeaders', 'statusCode', 'errorResponse', 'onExceeded', 'onRedisError', 'insurance', 'blockCache', 'batch', 'commandTimeout', 'timeout',
  'prefix', 'namespace', 'client'] as const

const kRoute = Symbol('frp.rateLimit.route')
type RouteConfig = Record<string | symbol, unknown> & { [kRoute]?: Route<FastifyRequest> | null }

const defaultKey: KeyGenerator<FastifyRequest> = request => ipKey(request.ip)
const ipOf = (request: FastifyRequest): string => request.ip

/** Per policy, the default 429 body around its retryAfterMs, for the current retry second. */
const bodyParts = new WeakMap<RateLimitResult['policy'], { seconds: number, head: string, tail: string }>()

/**
 * The default 429 body, already JSON: a limited request (the attack path, often answered from
 * the block cache without Redis) skips Fastify's serializer. Byte for byte what JSON.stringify
 * of { statusCode, code, error, message, retryAfterMs, policy } gives.
 */
function defaultResponse (_request: FastifyRequest, result: RateLimitResult): string {
  const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000))
  const policy = result.policy
  // The JSON around retryAfterMs changes once a second per policy: built then, reused between.
  let parts = bodyParts.get(policy)
  if (parts === undefined || parts.seconds !== seconds) {
    parts = {
      seconds,
      head: '{"statusCode":429,"code":"FRP_RATE_LIMITED","error":"Too Many Requests","message":' +
        JSON.stringify(`Rate limit exceeded (${policy.name}), retry in ${seconds} s`) + ',"retryAfterMs":',
      tail: ',"policy":' + JSON.stringify(policy.name) + '}'
    }
    bodyParts.set(policy, parts)
  }
  return parts.head + String(result.retryAfterMs) + parts.tail
}

const STORE_DOWN_BODY = JSON.stringify({
  statusCode: 503,
  code: 'FRP_RATE_LIMIT_STORE',
  error: 'Service Unavailable',
  message: 'Rate limit store unavailable, retry later'
})

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
  const globalRule = policies === undefined ? null : normalizeRule(opts.policies !== undefined ? 'redisRateLimit.policies' : 'redisRateLimit', policies)
  const global = optBool('redisRateLimit.global', opts.global, true)
  const hook = optEnum('redisRateLimit.hook', opts.hook, ['onRequest', 'preValidation', 'preHandler'] as const, 'onRequest')
  const headers = optBool('redisRateLimit.headers', opts.headers, true)
  const legacyHeaders = optBool('redisRateLimit.legacyHeaders', opts.legacyHeaders, false)
  const statusCode = optInt('redisRateLimit.statusCode', opts.statusCode, 429, 400, 599)
  const errorResponse = optFunction<(request: FastifyRequest, result: RateLimitResult) => unknown>('redisRateLimit.errorResponse', opts.errorResponse, defaultResponse)
  const jsonBody = errorResponse === defaultResponse
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
  // The hook has a failure policy for exactly this case: start, and apply it until Redis answers.
  await checkAtStartup(fastify, [client], {
    pattern: 'rate-limit', needsNoEviction: false, timeout: Math.max(limiter.commandTimeout, 2000), whileDown: `onRedisError '${onRedisError}' applies`
  })

  function resolve (config: RouteConfig, method: unknown, url: unknown): Route<FastifyRequest> | null {
    if (config.rateLimit === undefined) return globalRoute
    const routeId = `${method === 'HEAD' ? 'GET' : String(method)} ${String(url)}`
    return normalizeRoute<FastifyRequest>(`config.rateLimit of ${routeId}`, config.rateLimit, routeId, defaults, groups)
  }

  // Routes declared after registration: validate at declaration, so a bad policy fails at startup.
  fastify.addHook('onRoute', routeOptions => {
    const config = routeOptions.config as RouteConfig | undefined
    if (config?.rateLimit === undefined) return
    config[kRoute] = resolve(config, Array.isArray(routeOptions.method) ? routeOptions.method.join(',') : routeOptions.method, routeOptions.url)
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

  function reject (request: FastifyRequest, reply: FastifyReply, route: Route<FastifyRequest>, key: string, result: RateLimitResult): FastifyReply {
    if (result.degraded && onRedisError === 'deny') {
      reply.code(503).header('retry-after', 1).header('content-type', 'application/json; charset=utf-8')
      return reply.send(STORE_DOWN_BODY)
    }
    setHeaders(reply, route, result)
    reply.header('retry-after', Math.max(1, Math.ceil(result.retryAfterMs / 1000)))
    if (onExceeded !== undefined) {
      try {
        const done = onExceeded(request, key, result) as unknown
        // An async onExceeded: its rejection is logged too, never left unhandled.
        if (typeof (done as Promise<unknown> | undefined)?.then === 'function') {
          (done as Promise<unknown>).then(undefined, err => { request.log.error({ err }, 'rate-limit: onExceeded threw') })
        }
      } catch (err) { request.log.error({ err }, 'rate-limit: onExceeded threw') }
    }
    if (jsonBody) reply.header('content-type', 'application/json; charset=utf-8')
    return reply.code(statusCode).send(errorResponse(request, result))
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

  function finish (request: FastifyRequest, reply: FastifyReply, route: Route<FastifyRequest>, key: string, result: RateLimitResult, done: (err?: Error) => void): void {
    try {
      if (result.allowed) {
        setHeaders(reply, route, result)
      } else {
        // Replied: a callback-style hook that has sent the reply does not call done.
        reject(request, reply, route, key, result)
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

  fastify.decorate('rateLimit', {
    limiter,
    check: (key: string, policy?: PolicyInput, o?: { cost?: number }) => limiter.hit(key, policy, o?.cost ?? 1),
    peek: (key: string, policy?: PolicyInput, o?: { cost?: number }) => limiter.peek(key, policy, o?.cost ?? 1),
    reset: (key: string) => limiter.reset(key),
    rule: (policy: PolicyInput) => limiter.rule(policy)
  } satisfies RateLimitDecorator)
}

export const redisRateLimit = fp(rateLimitPlugin, {
  name: 'fastify-redis-patterns-rate-limit',
  fastify: '5.x'
})

export default redisRateLimit
export type { RateLimitResult, RateLimitRule, RateLimitPolicyOptions, RouteRateLimit }

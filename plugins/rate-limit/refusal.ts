// What the hook sends when it refuses a request: a coded error handed to Fastify's error handler
// (so an app's setErrorHandler and onError hooks see 429s and 503s, as with @fastify/rate-limit),
// and the response schemas that make Fastify's default handler write today's body for it.
import { STATUS_CODES } from 'node:http'
import { FRP_RATE_LIMITED, FRP_RATE_LIMIT_STORE } from '../../lib/shared/errors.js'
import type { RateLimitResult } from '../../lib/rate-limit/result.js'

/**
 * Whether anything of the app would see an error sent on this route context: an error handler
 * of the app (Fastify's own root handler has no parent) or an onError hook. When nothing would,
 * the hook writes the body the default handler would have written, straight away: an error
 * object, the handler chain and schema serialization cost the refusal path 20% of its CPU (bench
 * ab.mjs rate-limit-rejected-cpu), and the attack path is the one that must stay cheap. The
 * default handler's info log line per refusal is skipped with it. A route with its own response
 * schema for the status always takes the handler path, so that schema shapes the body. Fastify's route context is
 * internal: anything unexpected counts as observed, the always-correct path.
 */
export function makeObservedCheck (): (context: unknown) => boolean {
  const known = new WeakMap<object, boolean>()
  return context => {
    if (context === null || typeof context !== 'object') return true
    let observed = known.get(context)
    if (observed === undefined) {
      const c = context as { errorHandler?: unknown, onError?: unknown }
      const handler = c.errorHandler as { func?: { name?: string } } | undefined
      const defaultHandler = handler !== null && typeof handler === 'object' && Object.getPrototypeOf(handler) === Object.prototype &&
        handler.func?.name === 'defaultErrorHandler'
      observed = !defaultHandler || !('onError' in c) || c.onError !== null
      known.set(context, observed)
    }
    return observed
  }
}

/** Per policy and status, the default body around its retryAfterMs, for the current retry second. */
const bodyParts = new WeakMap<RateLimitResult['policy'], { seconds: number, statusCode: number, head: string, tail: string }>()

/**
 * The default body of a limited request, already JSON: byte for byte what Fastify's default error
 * handler writes for limitedError() with limitedResponseSchema.
 */
export function limitedBody (result: RateLimitResult, statusCode: number): string {
  const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000))
  const policy = result.policy
  // The JSON around retryAfterMs changes once a second per policy: built then, reused between.
  let parts = bodyParts.get(policy)
  if (parts === undefined || parts.seconds !== seconds || parts.statusCode !== statusCode) {
    parts = {
      seconds,
      statusCode,
      head: `{"statusCode":${statusCode},"code":"FRP_RATE_LIMITED","error":${JSON.stringify(STATUS_CODES[statusCode] ?? 'Error')},"message":` +
        JSON.stringify(`Rate limit exceeded (${policy.name}), retry in ${seconds} s`) + ',"retryAfterMs":',
      tail: ',"policy":' + JSON.stringify(policy.name) + '}'
    }
    bodyParts.set(policy, parts)
  }
  return parts.head + String(result.retryAfterMs) + parts.tail
}

/** The default body of the 503 of `onRedisError: 'deny'`, as the default handler writes storeDownError(). */
export const STORE_DOWN_BODY = JSON.stringify({
  statusCode: 503,
  code: 'FRP_RATE_LIMIT_STORE',
  error: 'Service Unavailable',
  message: 'Rate limit store unavailable, retry later'
})

/** The error of a limited request: the body fields beside the usual four, and the headers already on the reply. */
export interface RateLimitedError extends Error {
  code: 'FRP_RATE_LIMITED'
  statusCode: number
  /** Ms until a request of the same cost may pass. */
  retryAfterMs: number
  /** Name of the policy that refused the request. */
  policy: string
  /** The rate-limit headers of the response (already set on the reply; Fastify's default handler sets them again). */
  headers: Record<string, string | number>
}

export function limitedError (result: RateLimitResult, statusCode: number, headers: Record<string, string | number>): RateLimitedError {
  const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000))
  const err = new FRP_RATE_LIMITED(result.policy.name, seconds) as RateLimitedError
  if (statusCode !== 429) err.statusCode = statusCode
  err.retryAfterMs = result.retryAfterMs
  err.policy = result.policy.name
  err.headers = headers
  return err
}

/** The 503 of `onRedisError: 'deny'` while Redis is unreachable. */
export function storeDownError (): Error {
  const err = Object.assign(new FRP_RATE_LIMIT_STORE('Redis unavailable'), { headers: { 'retry-after': 1 } })
  // The message clients have always seen; the code says the rest.
  err.message = 'Rate limit store unavailable, retry later'
  return err
}

const errorProperties = {
  statusCode: { type: 'integer' },
  code: { type: 'string' },
  error: { type: 'string' },
  message: { type: 'string' }
} as const

/**
 * Response schema of a refused request. Fastify's default error handler serializes an error
 * with the route's schema for its status, so the body keeps `retryAfterMs` and `policy` (its
 * fields in today's order) and the status is documented in an OpenAPI spec.
 */
export const limitedResponseSchema: Record<string, unknown> = {
  description: 'Rate limit exceeded (FRP_RATE_LIMITED): retry after the `Retry-After` header',
  type: 'object',
  properties: {
    ...errorProperties,
    retryAfterMs: { type: 'integer', description: 'Ms until a request of the same cost may pass' },
    policy: { type: 'string', description: 'Name of the policy that refused the request' }
  },
  // Open and with nothing required: the route's schema for the status also shapes what an app's
  // own error handler (or handler) sends with it, and must pass such a body through whole.
  additionalProperties: true
}

export const storeDownResponseSchema: Record<string, unknown> = {
  description: 'The rate-limit store is unreachable and `onRedisError` is `deny` (FRP_RATE_LIMIT_STORE)',
  type: 'object',
  properties: errorProperties,
  additionalProperties: true
}

type ResponseSchemas = Record<string, unknown>
interface RouteSchemaHolder { schema?: { response?: ResponseSchemas } & Record<string, unknown> }

/**
 * Adds the refusal statuses to a route's response schemas, leaving alone any the route already
 * declares for them (its own schema for the status, its class, e.g. `4xx`, or `default`). The
 * route's schema objects are copied, never mutated: apps share them between routes.
 */
export function addRefusalSchemas (route: RouteSchemaHolder, add: Record<number, Record<string, unknown>>): { ownSchemas: Set<number> } {
  const response = route.schema?.response ?? {}
  let extra: ResponseSchemas | null = null
  const ownSchemas = new Set<number>()
  for (const [status, schema] of Object.entries(add)) {
    if (status in response || `${status[0]}xx` in response || `${status[0]}XX` in response || 'default' in response) {
      ownSchemas.add(Number(status))
      continue
    }
    extra ??= {}
    extra[status] = schema
  }
  if (extra !== null) route.schema = { ...route.schema, response: { ...response, ...extra } }
  return { ownSchemas }
}

// The error responses the plugins' routes declare: one schema for every error status, so
// @fastify/swagger documents each status a route can send, and Fastify's default error handler
// writes the usual body through it. Plain OpenAPI 3.0 schema objects (no 3.1-only keyword).
import type { RouteHooks } from './route-hooks.js'

/** What Fastify's default error handler writes for a coded error. */
export const errorResponseSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer', description: 'HTTP status of the response' },
    code: { type: 'string', description: 'error code (FRP_*, FST_*), for programs to test' },
    error: { type: 'string', description: 'HTTP reason phrase' },
    message: { type: 'string', description: 'what went wrong, for humans' }
  },
  // Open and with nothing required: the schema also shapes what an app's error handler or auth
  // hook sends with the status, which may carry fewer or more fields and must pass through whole.
  additionalProperties: true
} as const

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 503

/** When each status is sent, for one route. */
export type ErrorCases = Partial<Record<ErrorStatus, string>>

/** Any route that takes a body: Fastify refuses a content type it has no parser for. */
export const UNSUPPORTED_MEDIA = 'The body\'s content type has no parser (FST_ERR_CTP_INVALID_MEDIA_TYPE)'

/** Any route that calls Redis. */
export const REDIS_DOWN = 'Redis is unavailable or did not answer within `commandTimeout` (FRP_REDIS_UNAVAILABLE, FRP_REDIS_TIMEOUT)'

/** The response schemas of `cases`: the shared error schema, described by when it is sent. */
export function errorResponses (cases: ErrorCases): Record<number, Record<string, unknown>> {
  const out: Record<number, Record<string, unknown>> = {}
  for (const [status, description] of Object.entries(cases)) out[Number(status)] = { ...errorResponseSchema, description }
  return out
}

/**
 * 401 and 403 when the routes run the app's hooks (`routes.onRequest` / `routes.preHandler`, where
 * the plugins' docs say authentication goes): what those hooks answer is the app's choice, so
 * they are documented only when there are hooks to send them.
 */
export function authCases (hooks: RouteHooks): ErrorCases {
  if (hooks.onRequest === undefined && hooks.preHandler === undefined) return {}
  return {
    401: 'Refused by the routes\' authentication hook (the client is not authenticated)',
    403: 'Refused by the routes\' authentication hook (the client may not do this)'
  }
}

/**
 * An object schema that rejects unknown keys (a 400 naming the key) under any Ajv configuration
 * Fastify uses by default: `additionalProperties: false` would be silently stripped instead
 * (Fastify's `removeAdditional: true`), and `propertyNames` is not OpenAPI 3.0.
 */
export function closedObject<P extends Record<string, unknown>> (properties: P): { type: 'object', properties: P, additionalProperties: { not: Record<string, never> } } {
  return { type: 'object', properties, additionalProperties: { not: {} } }
}

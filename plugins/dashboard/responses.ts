// The error responses every dashboard API route declares (OpenAPI: each status it can send).
import { errorResponses, REDIS_DOWN, type ErrorCases } from '../shared/route-responses.js'

/** 400 (schema), 401/403 (authorize), 503 (Redis), plus the route's own `extra` cases. */
export function dashboardErrors (extra: ErrorCases = {}): Record<number, Record<string, unknown>> {
  return errorResponses({
    400: 'Invalid params, query or body (the message names the field)',
    401: 'Refused by `authorize` (not authenticated)',
    403: 'Refused by `authorize`',
    503: REDIS_DOWN,
    ...extra
  })
}

// Fastify's default error handler logs every 5xx at error level with its stack. During a Redis
// outage that is one stack trace per request for a failure the plugin has already reported (one
// warn for the outage, one debug line per request), so for a Redis failure the plugin passes on
// to the error handler it skips that one line, and only when the handler is Fastify's own: an
// app's setErrorHandler (and onError hooks) still receive the coded error and log as they choose.
// Fastify offers no per-reply switch for that line (only the app-wide `logController` option), so
// the request's own logger is told to drop the one call the default handler makes for this error.
import type { FastifyRequest } from 'fastify'

/** Whether `handler` (a route context's errorHandler) is Fastify's root default handler. */
export function isDefaultErrorHandler (handler: unknown): boolean {
  return handler !== null && typeof handler === 'object' && Object.getPrototypeOf(handler) === Object.prototype &&
    (handler as { func?: { name?: string } }).func?.name === 'defaultErrorHandler'
}

/** The route context Fastify keeps under an own symbol of the request (internal: may be absent). */
function routeContext (request: FastifyRequest): { errorHandler?: unknown } | undefined {
  const sym = Object.getOwnPropertySymbols(request).find(s => s.description === 'fastify.context')
  const ctx = sym === undefined ? undefined : (request as unknown as Record<symbol, unknown>)[sym]
  return ctx !== null && typeof ctx === 'object' ? ctx as { errorHandler?: unknown } : undefined
}

type LogFn = (obj: unknown, ...rest: unknown[]) => void

/**
 * Drops the error-level line Fastify's default error handler would write for `err` on this
 * request (`{ req, res, err }`, the error's message). Does nothing when the route has an error
 * handler of the app (it owns the logging), when Fastify's route context is not where we expect
 * it (the always-correct path: the line is written), or when requests have no logger of their own
 * (logging disabled: the one shared no-op logger must not be touched).
 */
export function skipDefaultErrorLog (request: FastifyRequest, err: unknown): void {
  const log = request.log
  if (log === request.server.log || !isDefaultErrorHandler(routeContext(request)?.errorHandler)) return
  const error = log.error as LogFn
  const skip: LogFn = function (this: unknown, obj, ...rest) {
    const o = obj as { err?: unknown, req?: unknown } | null
    if (o !== null && typeof o === 'object' && o.err === err && o.req === request) {
      // One line only: later error lines of this request are written as usual.
      if (log.error === skip) log.error = error as typeof log.error
      return
    }
    error.call(this, obj, ...rest)
  }
  log.error = skip as typeof log.error
}

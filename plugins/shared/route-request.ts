// The request type of route-config callbacks (`config.cache.key`/`tags`, `config.rateLimit`'s
// `keyGenerator`/`cost`/`allowList`, `config.lock.key`). Fastify's route config cannot carry the
// route's own generic, so the callbacks see a request with untyped params and querystring:
// `req => [\`user:${req.params.id}\`]` compiles under `strict` as written, and a callback
// annotated with the route's own request type is accepted too.
import type { FastifyRequest } from 'fastify'

/**
 * A request as a route-config callback receives it (validated and coerced when the route has a
 * schema). Params, querystring and body are untyped (`any`) unless the callback annotates its
 * parameter with the route's own request type, e.g. `(req: FastifyRequest<{ Params: { id: number } }>)`:
 * `unknown` records would reject every such annotation that leaves one of them out.
 */
// An intersection, not FastifyRequest's generic: Fastify maps an `any` route generic to `unknown`.
export type RouteRequest = FastifyRequest & { params: any, query: any, body: any }

/**
 * A callback of route config, checked bivariantly in its parameters as a method is, so that
 * `(req: FastifyRequest<{ Params: { id: number } }>) => ...` — the route's own request type — is
 * accepted where a `RouteRequest` is passed.
 */
export type RouteCallback<Args extends unknown[], R> = { bivarianceHack (...args: Args): R }['bivarianceHack']

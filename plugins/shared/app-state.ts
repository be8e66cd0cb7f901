// State one Fastify app shares across the plugins of this package (the cores they made, the Redis
// clients they use), whatever encapsulation context registers each plugin: keyed on the app's HTTP
// server, which every context of one app shares. A decorator would be visible only in the context
// that made it and its children, so a metrics plugin at the root would miss a pattern plugin
// registered in a scope.
import type { FastifyInstance } from 'fastify'

const states = new WeakMap<object, Map<symbol, unknown>>()

/** The app's state under `key`, made by `create` on first use; without `create`, undefined until then. */
export function appState<T> (fastify: FastifyInstance, key: symbol, create: () => T): T
export function appState<T> (fastify: FastifyInstance, key: symbol): T | undefined
export function appState<T> (fastify: FastifyInstance, key: symbol, create?: () => T): T | undefined {
  let app = states.get(fastify.server)
  if (app === undefined) {
    app = new Map()
    states.set(fastify.server, app)
  }
  if (!app.has(key) && create !== undefined) app.set(key, create())
  return app.get(key) as T | undefined
}

// The one Fastify app builder of the plugin tests: @fastify/redis over a client the test owns (not
// closed with the app), the pattern's plugin with its options, then the test's routes. The
// per-pattern helpers (session.ts, rate-limit.ts, cache/fixtures/app.ts) add their defaults.
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyPluginCallback, type FastifyServerOptions } from 'fastify'
import fastifyRedis from '@fastify/redis'
import type { Redis, Cluster } from 'ioredis'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface PluginAppOptions {
  /** Declares the test's routes (after the plugin). */
  routes?: (app: FastifyInstance) => void
  /** Fastify server options (logger, trustProxy...). */
  server?: FastifyServerOptions
  /** Extra @fastify/redis options (a namespace...). */
  redis?: { namespace?: string, closeClient?: boolean }
  /** Call app.ready() (default true); false lets a test add routes later (inject readies it). */
  ready?: boolean
}

/** A Fastify app with @fastify/redis and `plugin`; closed at `t`'s teardown when `t` is given. */
export async function pluginApp<O extends object> (t: Teardown | null, client: Redis | Cluster, plugin: FastifyPluginAsync<O> | FastifyPluginCallback<O>, opts: O, { routes, server, redis, ready = true }: PluginAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify(server)
  t?.teardown(() => app.close())
  await app.register(fastifyRedis, { client: client as Redis, closeClient: false, ...redis })
  await app.register(plugin as FastifyPluginAsync<O>, opts)
  routes?.(app)
  if (ready) await app.ready()
  return app
}

// The one place a plugin finds its Redis client: the `client` option, else `fastify.redis`
// (or `fastify.redis[namespace]`) from @fastify/redis. @fastify/redis is optional: an app that
// passes `client` need not register it. Every failure is FRP_INVALID_OPTION naming
// "<plugin>.client" or "<plugin>.namespace", so all six plugins answer a wiring mistake alike.
import type { FastifyInstance } from 'fastify'
// fastify.redis's type (the decorator @fastify/redis adds).
import type {} from '@fastify/redis'
import { invalid, optString } from '../../lib/shared/options.js'
import type { RedisClient } from '../../lib/shared/connection.js'

export interface ClientOptions {
  client?: unknown
  namespace?: unknown
}

/** True for an ioredis Redis or Cluster (both define commands; plain objects do not). */
function isClient (value: unknown): value is RedisClient {
  return typeof value === 'object' && value !== null && typeof (value as { defineCommand?: unknown }).defineCommand === 'function'
}

/** The client of `fastify.redis` (or of its `namespace`), or throws naming `<plugin>.namespace` / `<plugin>.client`. */
function fromFastify (fastify: FastifyInstance, plugin: string, namespace: unknown): RedisClient {
  const ns = namespace === undefined ? undefined : optString(`${plugin}.namespace`, namespace, '')
  const registered = fastify.hasDecorator('redis') ? fastify.redis : undefined
  if (registered === undefined || registered === null) {
    throw invalid(ns === undefined ? `${plugin}.client` : `${plugin}.namespace`,
      'no Redis client: pass `client` (an ioredis Redis or Cluster) or register @fastify/redis first')
  }
  const found: unknown = ns === undefined ? registered : registered[ns]
  if (!isClient(found)) {
    throw invalid(ns === undefined ? `${plugin}.client` : `${plugin}.namespace`,
      ns === undefined ? '@fastify/redis has no unnamed client: pass `namespace` or `client`' : `@fastify/redis has no namespace ${JSON.stringify(ns)}`)
  }
  return found
}

/** The plugin's client: `opts.client`, else @fastify/redis's (namespaced) client. */
export function resolveClient (fastify: FastifyInstance, plugin: string, opts: ClientOptions): RedisClient {
  if (opts.client === undefined) return fromFastify(fastify, plugin, opts.namespace)
  if (!isClient(opts.client)) throw invalid(`${plugin}.client`, 'must be an ioredis Redis or Cluster client')
  return opts.client
}

/**
 * Like resolveClient, but `client` may also be a non-empty array of clients (the lock's Redlock
 * quorum over independent masters).
 */
export function resolveClients (fastify: FastifyInstance, plugin: string, opts: ClientOptions): RedisClient | RedisClient[] {
  if (!Array.isArray(opts.client)) return resolveClient(fastify, plugin, opts)
  const list: unknown[] = opts.client
  if (list.length > 0 && list.every(isClient)) return list
  throw invalid(`${plugin}.client`, 'must be an ioredis Redis or Cluster client, or a non-empty array of them')
}

// The Redis clients an app's pattern plugins use, one RedisWatch each (issue 17 items 3 and 4):
// every pattern plugin registers its clients here at startup (checkAtStartup), which starts the
// memory watch on each and feeds `fastify.redisHealth()` and the metrics plugin (clientsInUse).
// One registry per app (app-state.ts); `redisHealth` is decorated on the instance the first
// plugin registers on, as before.
import type { FastifyInstance } from 'fastify'
// fastify.redis's type (the decorator @fastify/redis adds).
import type {} from '@fastify/redis'
import { RedisWatch, type RedisSnapshot, type WatchedPattern } from '../../lib/shared/redis-watch.js'
import type { RedisClient } from '../../lib/shared/connection.js'
import { appState } from './app-state.js'

export interface RedisHealthReport {
  /** True when every client answered. */
  ok: boolean
  /** One entry per client in use: its name, the patterns whose data it holds, and its snapshot. */
  clients: Array<{ name: string, patterns: string[] } & RedisSnapshot>
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Per Redis client the pattern plugins use: reachability, PING latency, memory, eviction
     * policy and the memory watch's current warnings. Readings are cached for a second, so a
     * health endpoint polled hard costs Redis little. Never rejects.
     */
    redisHealth: () => Promise<RedisHealthReport>
  }
}

export interface ClientInUse {
  /** The @fastify/redis namespace, 'default' for fastify.redis, else 'client-1', 'client-2'… */
  readonly name: string
  readonly client: RedisClient
  readonly watch: RedisWatch
}

interface Registry {
  readonly entries: ClientInUse[]
  unnamed: number
}

const kRegistry = Symbol('frp.redisRegistry')

function registryOf (fastify: FastifyInstance): Registry {
  return appState(fastify, kRegistry, () => {
    const registry: Registry = { entries: [], unnamed: 0 }
    fastify.addHook('onClose', async () => { for (const e of registry.entries) e.watch.close() })
    if (!fastify.hasDecorator('redisHealth')) fastify.decorate('redisHealth', async () => await health(registry))
    return registry
  })
}

async function health (registry: Registry): Promise<RedisHealthReport> {
  const clients = await Promise.all(registry.entries.map(async e => ({ name: e.name, patterns: [...e.watch.patterns], ...await e.watch.snapshot() })))
  return { ok: clients.every(c => c.up), clients }
}

/** The client's name: its @fastify/redis namespace, 'default' for fastify.redis, else null. */
function nameOf (fastify: FastifyInstance, client: RedisClient, namespace: string | undefined): string | null {
  const registered: unknown = fastify.hasDecorator('redis') ? fastify.redis : undefined
  if (registered === undefined || registered === null) return null
  const namespaces = registered as Record<string, unknown>
  if (namespace !== undefined && namespaces[namespace] === client) return namespace
  if (registered === client) return 'default'
  // A client passed as `client` may still be one of @fastify/redis's namespaces (whose container
  // is a plain object; with an unnamed client too, it is that client, searched by `namespace` only).
  if (typeof (registered as { defineCommand?: unknown }).defineCommand === 'function') return null
  return Object.keys(namespaces).find(k => namespaces[k] === client) ?? null
}

/**
 * Registers `client` as used by `pattern` (its plugin passes the namespace it was asked for, if
 * any) and returns its watch: one per client, however many plugins share it, logging through
 * fastify.log. Decorates `fastify.redisHealth` on first use.
 */
export function watchClient (fastify: FastifyInstance, client: RedisClient, pattern: WatchedPattern, namespace?: string): RedisWatch {
  const registry = registryOf(fastify)
  let entry = registry.entries.find(e => e.client === client)
  if (entry === undefined) {
    const name = nameOf(fastify, client, namespace) ?? `client-${++registry.unnamed}`
    entry = { name, client, watch: new RedisWatch(client, { log: fastify.log, name }) }
    registry.entries.push(entry)
    // @fastify/redis drops its own 'error' listener once the client is ready, and an ioredis
    // client with none prints "[ioredis] Unhandled error event" and a stack on every failed
    // reconnect (a failover: "All sentinels are unreachable"). The plugins report outages once
    // through their outage logs; the connection's own errors go to debug.
    const onError = (err: Error): void => { fastify.log.debug({ err, client: name }, 'Redis connection error') }
    client.on('error', onError)
    fastify.addHook('onClose', async () => { client.off('error', onError) })
  }
  entry.watch.hold(pattern)
  return entry.watch
}

/** The clients the app's pattern plugins use, for the metrics plugin. */
export function clientsInUse (fastify: FastifyInstance): ReadonlyArray<ClientInUse> {
  return appState<Registry>(fastify, kRegistry)?.entries ?? []
}

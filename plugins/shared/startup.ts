// One startup policy for every plugin when Redis is unreachable: register anyway, warn once (one
// line, no stack), serve by the pattern's failure policy, and recover without a restart. The
// server checks (version, eviction policy) run again when the client's connection becomes ready,
// so their warnings still reach the log once Redis is there.
import type { FastifyInstance } from 'fastify'
import { checkServer } from '../../lib/shared/server-guard.js'
import { checkTopology } from '../../lib/shared/topology.js'
import { downError } from '../../lib/shared/connection.js'
import type { RedisClient } from '../../lib/shared/connection.js'
import type { WatchedPattern } from '../../lib/shared/redis-watch.js'
import { watchClient } from './redis-registry.js'

export interface StartupOptions {
  /** The pattern's name, used in messages. */
  pattern: WatchedPattern
  /** The @fastify/redis namespace the plugin was given, if any (names the client in health and metrics). */
  namespace?: string
  /** True for patterns whose data must not be evicted (lock, session, leaderboard, queue). */
  needsNoEviction: boolean
  /** How long to wait for Redis at startup (default 5000 ms). */
  timeout?: number
  /** What the plugin does while Redis is down, for the warning (e.g. "requests answer 503"). */
  whileDown: string
}

/**
 * Registers the plugin's clients for health, metrics and the memory watch (redis-registry.ts),
 * then runs the server checks on every client. Resolves true when all answered; otherwise logs one
 * warning, re-runs the checks of the unreachable clients on their next 'ready' event, and
 * resolves false. A Redis that is down at boot must not keep the app from starting; a deployment
 * that answers and can never serve (lib/shared/topology.ts) rejects with FRP_REDIS_TOPOLOGY.
 */
export async function checkAtStartup (fastify: FastifyInstance, clients: readonly RedisClient[], opts: StartupOptions): Promise<boolean> {
  await Promise.all(clients.map(async client => {
    try {
      await checkTopology(client, opts.timeout ?? 5000)
    } catch (err) {
      throw Object.assign(err as Error, { message: `${opts.pattern}: ${(err as Error).message}` })
    }
  }))
  for (const client of clients) watchClient(fastify, client, opts.pattern, opts.namespace)
  const guard = { pattern: opts.pattern, needsNoEviction: opts.needsNoEviction, log: fastify.log, timeout: opts.timeout }
  const check = async (client: RedisClient): Promise<void> => {
    // A client already reconnecting (or closed) cannot answer now: do not wait out the timeout.
    const down = downError(client)
    if (down !== null) throw down
    await checkServer(client, guard)
  }
  const results = await Promise.allSettled(clients.map(check))
  const failed: RedisClient[] = []
  const reasons: string[] = []
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return
    failed.push(clients[i])
    // The connection's own words (checkServer's coded error wraps them, prefixed with the pattern).
    const reason = r.reason as Error
    reasons.push(reason.cause instanceof Error ? reason.cause.message : reason.message)
  })
  if (failed.length === 0) return true

  fastify.log.warn(`${opts.pattern}: Redis unavailable at startup (${[...new Set(reasons)].join('; ')}); ${opts.whileDown} until it answers`)
  for (const client of failed) {
    const onReady = (): void => {
      checkServer(client, guard).then(() => {
        client.off('ready', onReady)
        fastify.log.info(`${opts.pattern}: Redis is reachable`)
      }, () => {}) // still failing: the next 'ready' tries again
    }
    client.on('ready', onReady)
    // It may have connected while the check was failing: then no 'ready' event is coming.
    if (client.status === 'ready') onReady()
    fastify.addHook('onClose', async () => { client.off('ready', onReady) })
  }
  return false
}

// Where the pattern plugins announce the cores they create, so that a plugin observing them (the
// metrics plugin) finds every one, whatever the registration order and however late a core is
// made (queues and ad hoc boards are created on first use). One registry per app (app-state.ts),
// so a pattern plugin registered inside a scope is still seen by a metrics plugin at the root.
import type { FastifyInstance } from 'fastify'
import { appState } from './app-state.js'
import type { Cache } from '../../lib/cache/cache.js'
import type { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import type { SessionStore } from '../../lib/session/store.js'
import type { Locker } from '../../lib/lock/locker.js'
import type { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import type { Queue } from '../../lib/queue/queue.js'
import type { RateLimitRule } from '../../lib/rate-limit/policy.js'
import type { OneTimeCodes } from '../../lib/otp/one-time-codes.js'
import type { Activity } from '../../lib/activity/activity.js'

/** Hits, misses, bypasses and stale answers of one cached route (plain counters, read at scrape time). */
export interface RouteCacheCounts {
  hit: number
  miss: number
  bypass: number
  stale: number
}

export interface Cores {
  cache: Cache
  /** A cached route: its pattern (`/users/:id`) and its counters. */
  routeCache: { route: string, counts: RouteCacheCounts }
  rateLimiter: RateLimiter
  /** A rate-limited route: its limiter, the counter scope it counts in (`global|`, `g:<group>|`, `r:…|`) and its rule. */
  rateLimitRoute: { limiter: RateLimiter, method: string, url: string, scope: string, rule: RateLimitRule }
  sessions: SessionStore
  locker: Locker
  /** A board; `configured`: named in the plugin's `boards` (else made on the fly from a name). */
  leaderboard: { board: Leaderboard, configured: boolean }
  queue: Queue<any, any>
  otp: OneTimeCodes
  activity: Activity
}

export type CoreKind = keyof Cores

type Listener<K extends CoreKind> = (core: Cores[K]) => void

class Registry {
  readonly #seen: { [K in CoreKind]?: Array<Cores[K]> } = {}
  readonly #listeners: { [K in CoreKind]?: Array<Listener<K>> } = {}

  announce<K extends CoreKind> (kind: K, core: Cores[K]): void {
    const seen = (this.#seen[kind] ??= []) as Array<Cores[K]>
    seen.push(core)
    for (const l of (this.#listeners[kind] ?? []) as Array<Listener<K>>) l(core)
  }

  /** Calls `listener` for every core of `kind` announced so far and for each one announced later; returns the unsubscribe. */
  watch<K extends CoreKind> (kind: K, listener: Listener<K>): () => void {
    const list = (this.#listeners[kind] ??= []) as Array<Listener<K>>
    list.push(listener)
    for (const core of (this.#seen[kind] ?? []) as Array<Cores[K]>) listener(core)
    return () => {
      const i = list.indexOf(listener)
      if (i >= 0) list.splice(i, 1)
    }
  }
}

const kCores = Symbol('frp.cores')

function registryOf (fastify: FastifyInstance): Registry {
  return appState(fastify, kCores, () => new Registry())
}

/** A pattern plugin made `core`. */
export function announceCore<K extends CoreKind> (fastify: FastifyInstance, kind: K, core: Cores[K]): void {
  registryOf(fastify).announce(kind, core)
}

/** Every core of `kind` of this app, past and future. */
export function watchCores<K extends CoreKind> (fastify: FastifyInstance, kind: K, listener: Listener<K>): () => void {
  return registryOf(fastify).watch(kind, listener)
}

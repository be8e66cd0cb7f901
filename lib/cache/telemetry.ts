// The cache's telemetry: the counters behind `cache.stats()` and the typed events behind
// `cache.on(...)`, moved together by one `record(event, ...)`. Every counter has its event and
// nothing else moves a counter. Counting is a field increment; an event is emitted only once
// someone listens, so the hot path (an L1 hit) pays one call and one increment.
import type { EventEmitter } from 'node:events'
import type { BusKind } from './invalidation-bus.js'
import type { Logger } from './options.js'

export interface CacheStats {
  /** Served from the in-process L1 (event `hit (key, 'l1')`). */
  l1Hits: number
  /** Served from Redis (event `hit (key, 'l2')`). */
  l2Hits: number
  /** Nothing servable was found (`miss`). */
  misses: number
  /** A stale value was served, stale-while-revalidate or stale-if-error (`stale`). */
  staleServed: number
  /** Fetcher (or route handler) runs (`fetch`). */
  fetches: number
  /** Fetcher runs that threw (`fetched (key, ms, 'error')`). */
  fetchErrors: number
  /** Calls that joined a fetch or read already in flight in this process (`dedupe`). */
  dedupeJoins: number
  /** Calls that waited for another instance's fill (`wait`). */
  waits: number
  /** Background refreshes started, stale-while-revalidate or early refresh (`refresh`). */
  refreshes: number
  /** Fetch results not stored because the key was invalidated while they were fetched (`refused`). */
  staleSetsRefused: number
  /** Redis errors and timeouts, and values the codec refused (`error`, also logged). */
  errors: number
  /** Entries that could not be decoded, read as misses (`corrupt`). */
  corrupt: number
  /** Invalidation messages received from the bus (`invalidate (kind, subject, 'remote')`). */
  busMessages: number
  /** L1 flushes caused by the bus going down or coming back (`flush`). */
  l1Flushes: number
}

/** The cache's events: name → the listener's arguments (docs/cache.md, "Events"). */
export interface CacheEvents {
  hit: [key: string, layer: 'l1' | 'l2']
  miss: [key: string]
  stale: [key: string, reason: 'revalidate' | 'error']
  fetch: [key: string]
  /** A fetcher run of wrap() settled (the route cache's handler runs are not fetches: they count as misses). */
  fetched: [key: string, durationMs: number, outcome: 'ok' | 'error']
  dedupe: [key: string]
  wait: [key: string]
  refresh: [key: string]
  refused: [key: string]
  corrupt: [key: string]
  /** Never thrown: emitted only when an 'error' listener exists (always logged). */
  error: [err: unknown, key: string]
  /** kind: 'k' key, 't' tag, 'p' prefix, 'c' clear; 'local' from this instance, 'remote' heard on the bus. */
  invalidate: [kind: BusKind, subject: string, origin: 'local' | 'remote']
  flush: [reason: 'down' | 'up']
}

export type CacheEvent = keyof CacheEvents

export function emptyStats (): CacheStats {
  return {
    l1Hits: 0,
    l2Hits: 0,
    misses: 0,
    staleServed: 0,
    fetches: 0,
    fetchErrors: 0,
    dedupeJoins: 0,
    waits: 0,
    refreshes: 0,
    staleSetsRefused: 0,
    errors: 0,
    corrupt: 0,
    busMessages: 0,
    l1Flushes: 0
  }
}

export class Telemetry {
  readonly #counts = emptyStats()
  readonly #emitter: EventEmitter
  readonly #logger: Logger | undefined
  /** Set once anyone listens to anything: until then no event is built at all. */
  #observed = false

  constructor (emitter: EventEmitter, logger: Logger | undefined) {
    this.#emitter = emitter
    this.#logger = logger
    emitter.on('newListener', () => { this.#observed = true })
  }

  /**
   * Counts `event` and emits it with `args`. Kept small enough to be inlined on the hot path (an
   * L1 hit): fixed parameters rather than a rest array (no event has more than three arguments,
   * none undefined), the hit counted here and the rarer events in #count.
   */
  record<E extends CacheEvent> (event: E, ...args: CacheEvents[E]): void
  record (event: CacheEvent, a: unknown, b?: unknown, c?: unknown): void {
    if (event === 'hit') {
      if (b === 'l1') this.#counts.l1Hits++
      else this.#counts.l2Hits++
    } else if (event === 'error') {
      this.#error(a, b as string)
      return
    } else {
      this.#count(event, c)
    }
    if (this.#observed) this.#emit(event, a, b, c)
  }

  #count (event: CacheEvent, c: unknown): void {
    const s = this.#counts
    switch (event) {
      case 'miss': s.misses++; break
      case 'stale': s.staleServed++; break
      case 'fetch': s.fetches++; break
      case 'fetched': if (c === 'error') s.fetchErrors++; break
      case 'dedupe': s.dedupeJoins++; break
      case 'wait': s.waits++; break
      case 'refresh': s.refreshes++; break
      case 'refused': s.staleSetsRefused++; break
      case 'corrupt': s.corrupt++; break
      case 'invalidate': if (c === 'remote') s.busMessages++; break
      case 'flush': s.l1Flushes++; break
    }
  }

  #emit (event: CacheEvent, a: unknown, b: unknown, c: unknown): void {
    if (c !== undefined) this.#emitter.emit(event, a, b, c)
    else if (b !== undefined) this.#emitter.emit(event, a, b)
    else this.#emitter.emit(event, a)
  }

  #error (err: unknown, key: string): void {
    this.#counts.errors++
    this.#logger?.warn({ err, key }, 'cache: Redis call failed, falling back')
    // EventEmitter throws an 'error' nobody listens to: the caller is falling back, not failing.
    if (this.#emitter.listenerCount('error') > 0) this.#emitter.emit('error', err, key)
  }

  /** A copy of the counters. */
  snapshot (): CacheStats {
    return { ...this.#counts }
  }

  /** Logs through the cache's logger (for failures that are not the cache's own Redis calls). */
  warn (obj: unknown, msg: string): void {
    this.#logger?.warn(obj, msg)
  }
}

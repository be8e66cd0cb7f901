// Counters behind `cache.stats()` and the events behind `cache.on(...)`. Counting is a field
// increment; an event is emitted only when someone listens, so the hot path pays nothing extra.

export interface CacheStats {
  /** Served from the in-process L1. */
  l1Hits: number
  /** Served from Redis. */
  l2Hits: number
  /** Nothing servable was found. */
  misses: number
  /** A stale value was served (stale-while-revalidate or stale-if-error). */
  staleServed: number
  /** Fetcher (or route handler) runs. */
  fetches: number
  /** Calls that joined a fetch already in flight in this process. */
  dedupeJoins: number
  /** Calls that waited for another instance's fill. */
  waits: number
  /** Background refreshes started (stale-while-revalidate, early refresh). */
  refreshes: number
  /** Fetch results not stored because the key was invalidated while they were fetched. */
  staleSetsRefused: number
  /** Redis errors and timeouts (each one also logged and emitted as 'error'). */
  errors: number
  /** Entries that could not be decoded (read as misses). */
  corrupt: number
  /** Invalidation messages received from the bus. */
  busMessages: number
  /** L1 flushes caused by the bus being down. */
  l1Flushes: number
}

export type CacheEvent = 'hit' | 'miss' | 'stale' | 'fetch' | 'dedupe' | 'wait' | 'refresh' | 'error' | 'invalidate' | 'flush'

export function emptyStats (): CacheStats {
  return {
    l1Hits: 0,
    l2Hits: 0,
    misses: 0,
    staleServed: 0,
    fetches: 0,
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

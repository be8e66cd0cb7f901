// Cache metrics: the core's own counters (cache.stats()) read at scrape time, fetch outcomes and
// durations and invalidations from its events, and the route cache's per-route outcomes.
import type { Cache } from '../../lib/cache/cache.js'
import type { CacheStats } from '../../lib/cache/telemetry.js'
import { watchCores, type RouteCacheCounts } from '../shared/cores.js'
import { counter, onFirst, talliedCounter, gauge, histogram, listen, type MetricsContext } from './context.js'
import { TotalFollower } from './tally.js'

const KINDS: Record<string, string> = { k: 'key', t: 'tag', p: 'prefix', c: 'clear' }

export function cacheMetrics (ctx: MetricsContext): void {
  const caches: Cache[] = []
  const routes: Array<{ route: string, counts: RouteCacheCounts }> = []
  const totals = new TotalFollower()

  /** A counter following fields of every cache's stats(), one `label` value per field (or no label). */
  function followStats (name: string, help: string, label: string | null, fields: Record<string, keyof CacheStats>): void {
    counter(ctx, {
      name,
      help,
      labelNames: label === null ? [] : [label],
      collect () {
        caches.forEach((c, i) => {
          const s = c.stats()
          for (const [value, field] of Object.entries(fields)) totals.follow(this, `${name}:${i}:${value}`, label === null ? {} : { [label]: value }, s[field])
        })
      }
    })
  }

  ctx.cleanup.push(watchCores(ctx.fastify, 'cache', onFirst(() => {
    followStats('frp_cache_requests_total', 'Cache lookups by result: served from L1, from Redis (L2), stale, or a miss.',
      'result', { l1_hit: 'l1Hits', l2_hit: 'l2Hits', miss: 'misses', stale: 'staleServed' })
    const fetches = talliedCounter(ctx, {
      name: 'frp_cache_fetches_total',
      help: 'Fetcher runs of cache.wrap by outcome.',
      labelNames: ['outcome']
    })
    const fetchDuration = histogram(ctx, {
      name: 'frp_cache_fetch_duration_seconds',
      help: 'Time a cache.wrap fetcher took.',
      buckets: ctx.latencyBuckets
    })
    followStats('frp_cache_stampede_joins_total', 'Calls that joined a fill in flight instead of loading the origin: in this process (local) or another instance (remote).',
      'scope', { local: 'dedupeJoins', remote: 'waits' })
    const invalidations = talliedCounter(ctx, {
      name: 'frp_cache_invalidations_total',
      help: 'Invalidations by kind (key, tag, prefix, clear), made here (local) or heard on the bus (remote).',
      labelNames: ['kind', 'origin']
    })
    gauge(ctx, {
      name: 'frp_cache_l1_entries',
      help: 'Entries in the in-process L1.',
      collect () { this.set(caches.reduce((n, c) => n + c.stats().l1Entries, 0)) }
    })
    gauge(ctx, {
      name: 'frp_cache_l1_bytes',
      help: 'Approximate size of the in-process L1 (the sizes it accounts entries at).',
      collect () { this.set(caches.reduce((n, c) => n + c.stats().l1Bytes, 0)) }
    })
    followStats('frp_cache_errors_total', 'Redis errors and timeouts of the cache (it fell back to the origin), and values the codec refused.',
      null, { '': 'errors' })
    return cache => {
      caches.push(cache)
      listen(ctx, cache, 'fetched', (_key: string, ms: number, outcome: 'ok' | 'error') => {
        fetches.add(outcome, () => ({ outcome }))
        fetchDuration.observe(ms / 1000)
      })
      listen(ctx, cache, 'invalidate', (kind: string, _subject: string, origin: 'local' | 'remote') => {
        invalidations.add(kind + origin, () => ({ kind: KINDS[kind] ?? kind, origin }))
      })
    }
  })))
  ctx.cleanup.push(watchCores(ctx.fastify, 'routeCache', onFirst(() => {
    counter(ctx, {
      name: 'frp_http_cache_total',
      help: 'Requests of cached routes by outcome (route: the route pattern).',
      labelNames: ['route', 'result'],
      collect () {
        for (const { route, counts } of routes) {
          for (const result of ['hit', 'miss', 'bypass', 'stale'] as const) totals.follow(this, `route:${route}\n${result}`, { route, result }, counts[result])
        }
      }
    })
    return r => { routes.push(r) }
  })))
}

// Cache metrics: the core's own counters (cache.stats()) read at scrape time, fetch outcomes and
// durations and invalidations from its events, and the route cache's per-route outcomes.
import type { Cache } from '../../lib/cache/cache.js'
import { watchCores, type RouteCacheCounts } from '../shared/cores.js'
import { counter, onFirst, talliedCounter, gauge, histogram, listen, type MetricsContext } from './context.js'
import { TotalFollower } from './tally.js'

const KINDS: Record<string, string> = { k: 'key', t: 'tag', p: 'prefix', c: 'clear' }

export function cacheMetrics (ctx: MetricsContext): void {
  const caches: Cache[] = []
  const routes: Array<{ route: string, counts: RouteCacheCounts }> = []
  const totals = new TotalFollower()

  ctx.cleanup.push(watchCores(ctx.fastify, 'cache', onFirst(() => {
    counter(ctx, {
      name: 'frp_cache_requests_total',
      help: 'Cache lookups by result: served from L1, from Redis (L2), stale, or a miss.',
      labelNames: ['result'],
      collect () {
        caches.forEach((c, i) => {
          const s = c.stats()
          totals.follow(this, `${i}:l1`, { result: 'l1_hit' }, s.l1Hits)
          totals.follow(this, `${i}:l2`, { result: 'l2_hit' }, s.l2Hits)
          totals.follow(this, `${i}:miss`, { result: 'miss' }, s.misses)
          totals.follow(this, `${i}:stale`, { result: 'stale' }, s.staleServed)
        })
      }
    })
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
    counter(ctx, {
      name: 'frp_cache_stampede_joins_total',
      help: 'Calls that joined a fill in flight instead of loading the origin: in this process (local) or another instance (remote).',
      labelNames: ['scope'],
      collect () {
        caches.forEach((c, i) => {
          const s = c.stats()
          totals.follow(this, `${i}:local`, { scope: 'local' }, s.dedupeJoins)
          totals.follow(this, `${i}:remote`, { scope: 'remote' }, s.waits)
        })
      }
    })
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
    counter(ctx, {
      name: 'frp_cache_errors_total',
      help: 'Redis errors and timeouts of the cache (it fell back to the origin), and values the codec refused.',
      collect () { caches.forEach((c, i) => totals.follow(this, String(i), {}, c.stats().errors)) }
    })
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
          for (const result of ['hit', 'miss', 'bypass', 'stale'] as const) totals.follow(this, `${route}\n${result}`, { route, result }, counts[result])
        }
      }
    })
    return r => { routes.push(r) }
  })))
}

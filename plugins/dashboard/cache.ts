// The cache section: hit ratio and counters of every instance of the app, not only the one
// serving the page, and invalidation by key, tag or prefix.
// Across instances: every instance that registers the dashboard (the same app code runs on each)
// writes its caches' counters, cumulative since it started, to one Redis hash every 5 s
// (`<redisPrefix>:dashboard:{cache-stats}`, a field per instance: lib/shared/shared-counters.ts);
// the page sums the fields written in the last 15 s. An instance that stops drops out of the sum.
import type { FastifyInstance, FastifySchema } from 'fastify'
import { SharedCounters, type Counts, type PooledCounts } from '../../lib/shared/shared-counters.js'
import { keySpace } from '../../lib/shared/keys.js'
import { FRP_DASHBOARD_NOT_FOUND } from '../../lib/shared/errors.js'
import { clientsInUse } from '../shared/redis-registry.js'
import { dashboardErrors } from './responses.js'
import { registerAction } from './actions.js'
import { html, path, type Html } from './html.js'
import { actionForm, facts, table, when, type PageContext } from './layout.js'
import type { DashboardContext } from './context.js'
import type { Sources } from './sources.js'

const tags = ['dashboard']
const CORE = ['l1Hits', 'l2Hits', 'misses', 'staleServed', 'fetches', 'fetchErrors', 'dedupeJoins', 'waits', 'refreshes', 'staleSetsRefused', 'errors', 'corrupt', 'busMessages', 'l1Flushes'] as const
const ROUTE = ['hit', 'miss', 'bypass', 'stale'] as const

/** This instance's counters: every cache core's summed, and each cached route's as `route:<url>:<count>`. */
function localCounts (sources: Sources): Counts {
  const out: Counts = {}
  for (const c of sources.caches) {
    const s = c.stats()
    for (const k of CORE) out[k] = (out[k] ?? 0) + s[k]
  }
  for (const r of sources.routeCaches) for (const k of ROUTE) out[`route:${r.route}:${k}`] = (out[`route:${r.route}:${k}`] ?? 0) + r.counts[k]
  return out
}

export interface CacheReport {
  hitRatio: number | null
  total: Counts
  routes: Array<{ route: string, hit: number, miss: number, bypass: number, stale: number }>
  instances: Array<{ instance: string, at: number, hits: number, misses: number }>
}

function report (pooled: PooledCounts): CacheReport {
  const t = pooled.total
  const hits = (t.l1Hits ?? 0) + (t.l2Hits ?? 0) + (t.staleServed ?? 0)
  const routes = new Map<string, CacheReport['routes'][number]>()
  for (const [k, n] of Object.entries(t)) {
    const m = /^route:(.*):(hit|miss|bypass|stale)$/.exec(k)
    if (m === null) continue
    const r = routes.get(m[1]) ?? { route: m[1], hit: 0, miss: 0, bypass: 0, stale: 0 }
    r[m[2] as 'hit'] += n
    routes.set(m[1], r)
  }
  return {
    hitRatio: hits + (t.misses ?? 0) === 0 ? null : hits / (hits + (t.misses ?? 0)),
    total: Object.fromEntries(CORE.map(k => [k, t[k] ?? 0])),
    routes: [...routes.values()].sort((a, b) => a.route < b.route ? -1 : 1),
    instances: pooled.instances.map(i => ({ instance: i.instance, at: i.at, hits: (i.counts.l1Hits ?? 0) + (i.counts.l2Hits ?? 0) + (i.counts.staleServed ?? 0), misses: i.counts.misses ?? 0 }))
  }
}

function cacheView (ctx: PageContext, r: CacheReport, caches: number): Html {
  const base = path(ctx.prefix, 'cache')
  const ratio = r.hitRatio === null ? '—' : `${(r.hitRatio * 100).toFixed(1)}%`
  const pick = (label: string, field: string, confirm?: string): Html => actionForm(ctx, base + '/invalidate', `Invalidate by ${label}`, {
    hidden: { by: field, cache: 0 },
    inputs: html`<label>${label} <input name="value" maxlength="1024" required></label>`,
    danger: true,
    confirm
  })
  return html`${facts([['Hit ratio (all instances)', ratio], ['Instances reporting', r.instances.length], ['Caches', caches]])}
<h2>Counters, summed over the instances</h2>
${table(['Counter', 'Value'], Object.entries(r.total).map(([k, v]) => [k, v]))}
<h2>Cached routes</h2>
${table(['Route', 'Hit', 'Miss', 'Bypass', 'Stale'], r.routes.map(x => [x.route, x.hit, x.miss, x.bypass, x.stale]), 'No cached route.')}
<h2>Instances</h2>
${table(['Instance', 'Reported', 'Hits', 'Misses'], r.instances.map(i => [i.instance, when(i.at), i.hits, i.misses]))}
<h2>Invalidate</h2>
${caches === 0 ? html`<p class="empty">No cache core to invalidate.</p>` : html`${pick('key', 'key')}${pick('tag', 'tag')}${pick('prefix', 'prefix', 'Every key with this prefix')}`}
<p class="empty">Each instance running the dashboard writes its counters to Redis every 5 s; the totals sum the instances heard from in the last 15 s.</p>`
}

export interface CacheStatsOptions { redisPrefix: string, interval: number }

export function cacheRoutes (scope: FastifyInstance, ctx: DashboardContext, o: CacheStatsOptions): void {
  let shared: SharedCounters | null = null
  const counters = (): SharedCounters | null => {
    if (shared !== null) return shared
    const client = clientsInUse(scope).find(e => e.watch.patterns.has('cache'))?.client
    if (client === undefined) return null
    shared = new SharedCounters(client, keySpace(o.redisPrefix, 'dashboard').key('cache-stats'), () => localCounts(ctx.sources), { interval: o.interval })
    return shared
  }
  // Start publishing once the app is up (the cache plugin may register after the dashboard).
  scope.addHook('onReady', async () => { if (ctx.sources.caches.length > 0 || ctx.sources.routeCaches.length > 0) counters()?.start() })
  scope.addHook('onClose', async () => { await shared?.stop() })
  const read = async (): Promise<CacheReport> => {
    const c = counters()
    if (c === null) return report({ total: localCounts(ctx.sources), instances: [] })
    return report(await c.read())
  }

  scope.get('/cache', { schema: { hide: true } as never, config: { dashboardHtml: true } as never }, async (request, reply) => {
    const pctx = ctx.pageContext(request, reply)
    return ctx.sendPage(reply, pctx, 'cache', 'Cache', cacheView(pctx, await read(), ctx.sources.caches.length))
  })

  scope.get('/api/cache', {
    schema: {
      tags,
      summary: 'Cache counters of every instance',
      description: 'Hit ratio and counters summed over the app\'s instances (each writes its own to Redis every 5 s; those heard from in the last 15 s count), per cached route and per instance.',
      response: {
        200: {
          type: 'object',
          description: 'The counters',
          properties: {
            hitRatio: { type: 'number', nullable: true },
            total: { type: 'object', additionalProperties: { type: 'integer' } },
            routes: { type: 'array', items: { type: 'object', properties: { route: { type: 'string' }, hit: { type: 'integer' }, miss: { type: 'integer' }, bypass: { type: 'integer' }, stale: { type: 'integer' } } } },
            instances: { type: 'array', items: { type: 'object', properties: { instance: { type: 'string' }, at: { type: 'integer' }, hits: { type: 'integer' }, misses: { type: 'integer' } } } }
          }
        },
        ...dashboardErrors()
      }
    } as FastifySchema
  }, read)

  registerAction<Record<string, never>, { by: 'key' | 'tag' | 'prefix', value: string, cache?: number }>(scope, ctx.flashes, {
    id: 'cache-invalidate',
    path: '/cache/invalidate',
    done: 'Invalidated in Redis and in every instance\'s L1.',
    summary: 'Invalidate cache entries',
    description: 'Invalidates one key, every entry of a tag, or every key starting with a prefix (SCAN, never KEYS), in Redis and in every instance\'s L1.',
    tags,
    params: {},
    body: {
      properties: {
        by: { type: 'string', enum: ['key', 'tag', 'prefix'] },
        value: { type: 'string', minLength: 1, maxLength: 1024 },
        cache: { type: 'integer', minimum: 0, maximum: 1000, default: 0, description: 'which cache core (default the first)' }
      },
      required: ['by', 'value']
    },
    errors: { 404: 'No such cache (FRP_DASHBOARD_NOT_FOUND)', 415: 'The body\'s content type has no parser' },
    run: async req => {
      const cache = ctx.sources.caches[req.body.cache ?? 0]
      if (cache === undefined) throw new FRP_DASHBOARD_NOT_FOUND('cache', String(req.body.cache ?? 0))
      const { by, value } = req.body
      let invalidated: number | null = null
      if (by === 'key') await cache.invalidate(value)
      else if (by === 'tag') await cache.invalidateTags([value])
      else invalidated = await cache.invalidatePrefix(value)
      return { back: path(ctx.prefix, 'cache'), result: { by, invalidated } }
    }
  })
}

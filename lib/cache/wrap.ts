// Cache-aside (`cache.wrap`): the cached value, or the fetcher's result run once across every
// instance sharing Redis (in-process single flight, then the fill lease), stored for the next
// caller; stale values served while they are refreshed in the background, or when the fetcher
// fails; the fetcher alone when Redis does not answer (fail-open).
import { invalid } from '../shared/options.js'
import { out, type CacheContext } from './context.js'
import { abandon, fulfil, refreshLease, type Lease } from './fill.js'
import type { Served } from './freshness.js'
import { checkKey, effective, type CallOptions, type Effective } from './options.js'
import { lookup } from './read.js'

export type Fetcher<T> = () => T | Promise<T>

export function wrap<T> (ctx: CacheContext, key: string, fetcher: Fetcher<T>, opts: CallOptions | undefined): Promise<T> {
  // L1 answers only while the bus is live (L1#get checks).
  const e = ctx.l1?.get(key)
  if (e !== undefined) {
    ctx.telemetry.record('hit', key, 'l1')
    return Promise.resolve(out(ctx, e.value) as T)
  }
  const running = ctx.inflight.get(key)
  if (running !== undefined) {
    ctx.telemetry.record('dedupe', key)
    return running as Promise<T>
  }
  let o: Effective
  try {
    checkKey(key)
    if (typeof fetcher !== 'function') throw invalid('fetcher', 'must be a function')
    o = opts === undefined ? ctx.defaults : effective(ctx.defaults, opts)
  } catch (err) {
    return Promise.reject(err)
  }
  const p = wrapMiss(ctx, key, fetcher, o)
  ctx.inflight.set(key, p)
  const done = (): void => { if (ctx.inflight.get(key) === p) ctx.inflight.delete(key) }
  p.then(done, done)
  return p
}

async function wrapMiss<T> (ctx: CacheContext, key: string, fetcher: Fetcher<T>, o: Effective): Promise<T> {
  const r = await lookup(ctx, key, o)
  switch (r.status) {
    case 'hit': case 'stale':
      if (r.served.refresh) refreshInBackground(ctx, key, fetcher, o)
      return out(ctx, r.served.value) as T
    case 'bypass': return await runUncached(ctx, key, fetcher, r.stale)
    case 'lease': return await fillLease(ctx, r.lease, fetcher)
  }
}

/** Redis is unavailable (or the last fill was uncacheable): the fetcher, nothing stored. */
async function runUncached<T> (ctx: CacheContext, key: string, fetcher: Fetcher<T>, stale: Served | undefined): Promise<T> {
  ctx.telemetry.record('fetch', key)
  const t0 = performance.now()
  try {
    const value = await fetcher()
    ctx.telemetry.record('fetched', key, performance.now() - t0, 'ok')
    return value
  } catch (err) {
    ctx.telemetry.record('fetched', key, performance.now() - t0, 'error')
    if (stale === undefined) throw err
    ctx.telemetry.record('stale', key, 'error')
    return stale.value as T
  }
}

/** Runs the fetcher under a lease and stores its result; a failure gives the lease up. */
async function fillLease<T> (ctx: CacheContext, lease: Lease, fetcher: Fetcher<T>): Promise<T> {
  ctx.telemetry.record('fetch', lease.key)
  const t0 = performance.now()
  let value: T
  try {
    value = await fetcher()
  } catch (err) {
    ctx.telemetry.record('fetched', lease.key, performance.now() - t0, 'error')
    abandon(ctx, lease, false).catch(() => {})
    if (lease.stale !== undefined) {
      ctx.telemetry.record('stale', lease.key, 'error')
      return lease.stale.value as T
    }
    throw err
  }
  const duration = performance.now() - t0
  ctx.telemetry.record('fetched', lease.key, duration, 'ok')
  await fulfil(ctx, lease, value, { duration })
  return value
}

/** One background refresh per key at a time (stale-while-revalidate, early refresh). */
function refreshInBackground<T> (ctx: CacheContext, key: string, fetcher: Fetcher<T>, o: Effective): void {
  if (ctx.closed || ctx.refreshing.has(key)) return
  ctx.refreshing.add(key)
  ctx.telemetry.record('refresh', key)
  const run = async (): Promise<void> => {
    const lease = await refreshLease(ctx, key, o)
    if (lease !== null) await fillLease(ctx, lease, fetcher)
  }
  run().catch(err => ctx.telemetry.record('error', err, key)).finally(() => ctx.refreshing.delete(key))
}

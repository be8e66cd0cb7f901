// The fill-lease protocol seen from the cache: on a miss, take the key's fill lease or wait for
// the instance holding it (stampede protection across instances, stampede.ts); store the result
// of a fetch made under a lease (the stale-set guard: only if the key's generation is unchanged),
// or give the lease up; take a lease without waiting for a background refresh.
import { GEN_SLACK, encodeOrRecord, epochOf, fillL1, type CacheContext } from './context.js'
import { tagsBlob } from './entry.js'
import { CORRUPT, checkRaw, judge, type Served } from './freshness.js'
import type { Effective } from './options.js'
import { scripts } from './scripts.js'
import { acquire, release, tryLease } from './stampede.js'
import { initVersions, tagLife } from './tags.js'

/** The right to fill a key (the cross-instance fill lease), with what the fill needs. */
export interface Lease {
  readonly key: string
  readonly token: string
  /** Generation read before the fetch; '' when the store must not happen. */
  readonly gen: string
  readonly versions: readonly string[]
  readonly opts: Effective
  /** L1 epoch when the lookup started. */
  readonly epoch: number
  /** A stale value to fall back on if the fetch fails (stale-if-error). */
  readonly stale: Served | undefined
}

export type Lookup =
  | { status: 'hit' | 'stale', served: Served }
  | { status: 'lease', lease: Lease }
  /**
   * Redis unavailable, or the last fill was uncacheable: run the fetch without caching. `error`:
   * the failure that made it a bypass (already recorded), for a caller that logs per request.
   */
  | { status: 'bypass', stale: Served | undefined, error?: unknown }

export interface FulfilOptions {
  /** How long the fetch took (ms): stored for early refresh (XFetch). */
  duration?: number
  /** When the store is refused, waiters stop waiting and fetch themselves (route cache). */
  passOnRefusal?: boolean
  /** What L1 keeps, when it differs from the stored form (the route cache's parsed response). */
  l1Value?: unknown
}

/**
 * The miss path: take the fill lease, or wait for whoever holds it and take what it stored.
 * `ignoreEntry`: the entry in Redis was already found unusable (stale, invalidated, corrupt).
 */
export async function fill (ctx: CacheContext, key: string, o: Effective, epoch: number, ignoreEntry: boolean, stale: Served | undefined): Promise<Lookup> {
  ctx.telemetry.record('miss', key)
  for (;;) {
    let a
    try {
      a = await acquire(ctx.lease, key, ignoreEntry, () => ctx.telemetry.record('wait', key))
    } catch (err) {
      if ((err as { code?: string }).code === 'FRP_CACHE_WAIT_TIMEOUT') {
        if (stale !== undefined) {
          // In place of the timeout error: emitted like every other stale value served.
          ctx.telemetry.record('stale', key, 'error')
          return { status: 'stale', served: stale }
        }
        throw err
      }
      ctx.telemetry.record('error', err, key)
      return { status: 'bypass', stale, error: err }
    }
    if (a.kind === 'pass') return { status: 'bypass', stale }
    if (a.kind === 'entry') {
      try {
        const read = await checkRaw(ctx, key, a.raw, o.tags, undefined)
        if (read !== CORRUPT) {
          const j = judge(ctx, key, read, o, epoch)
          if (j !== null && j.status !== 'old') return j as Lookup
          if (j !== null) stale = j.served
        }
      } catch (err) {
        ctx.telemetry.record('error', err, key)
        return { status: 'bypass', stale, error: err }
      }
      ignoreEntry = true
      continue
    }
    let versions: string[] = []
    let gen = a.gen
    if (o.tags.length > 0) {
      try {
        versions = await initVersions(ctx.redis, ctx.keys, o.tags, ctx.bounded, tagLife(o, ctx.options.leaseTtl))
      } catch (err) {
        ctx.telemetry.record('error', err, key)
        gen = '' // without the tag versions the entry cannot be validated: do not store it
      }
    }
    return { status: 'lease', lease: { key, token: a.token, gen, versions, opts: o, epoch, stale } }
  }
}

/** Takes the fill lease for a background refresh, without waiting; null when another caller holds it. */
export async function refreshLease (ctx: CacheContext, key: string, o: Effective): Promise<Lease | null> {
  try {
    const l = await tryLease(ctx.lease, key)
    if (l === null) return null
    const versions = o.tags.length > 0 ? await initVersions(ctx.redis, ctx.keys, o.tags, ctx.bounded, tagLife(o, ctx.options.leaseTtl)) : []
    return { key, token: l.token, gen: l.gen, versions, opts: o, epoch: epochOf(ctx), stale: undefined }
  } catch (err) {
    ctx.telemetry.record('error', err, key)
    return null
  }
}

/**
 * Stores the result of a lease's fetch (unless the key was invalidated meanwhile), releases the
 * lease and wakes the waiters. Returns true when stored. `undefined` is never stored.
 */
export async function fulfil (ctx: CacheContext, lease: Lease, value: unknown, { duration = 0, passOnRefusal = false, l1Value = value }: FulfilOptions = {}): Promise<boolean> {
  const o = lease.opts
  if (value === undefined || lease.gen === '') { await abandon(ctx, lease, passOnRefusal); return false }
  let ttl = o.ttl
  let window = Math.max(o.staleWhileRevalidate, o.staleIfError)
  const negativeTtl = ctx.options.negativeTtl
  if (value === null && negativeTtl !== undefined) { ttl = negativeTtl; window = 0 }
  if (o.jitter > 0) ttl -= Math.floor(ttl * o.jitter * Math.random())
  const payload = encodeOrRecord(ctx, lease.key, value)
  if (payload === null) {
    await abandon(ctx, lease, passOnRefusal)
    return false
  }
  let r: [number, number]
  try {
    r = await ctx.bounded(scripts.run<[number, number]>(ctx.redis, 'store', ctx.keys.triple(lease.key), [
      lease.gen, lease.token, payload, ttl, window, Math.round(duration), tagsBlob(o.tags, lease.versions),
      ctx.keys.fillChannel, lease.key, GEN_SLACK, passOnRefusal ? '1' : '0'
    ]))
  } catch (err) {
    ctx.telemetry.record('error', err, lease.key)
    return false
  }
  if (r[0] !== 1) {
    ctx.telemetry.record('refused', lease.key)
    return false
  }
  fillL1(ctx, lease.key, l1Value, r[1], r[1] + ttl, o, payload.length, lease.epoch)
  return true
}

/** Releases a lease without storing; waiters re-check (or, with `pass`, stop waiting). */
export async function abandon (ctx: CacheContext, lease: Lease, pass = false): Promise<void> {
  try {
    await release(ctx.lease, lease.key, lease.token, pass)
  } catch (err) {
    ctx.telemetry.record('error', err, lease.key)
  }
}

// The read path: L1, then Redis (one GET on the common path, with the tag versions in the same
// tick when the caller names tags), judged by freshness.ts; a miss goes on to the fill-lease
// protocol (fill.ts). `lookup` is what `wrap` and the route cache build on; `get` only reads.
import { epochOf, out, type CacheContext } from './context.js'
import { parseEntry } from './entry.js'
import { fill, type Lookup } from './fill.js'
import { CORRUPT, checkRaw, judge, type Read, type Served } from './freshness.js'
import type { Effective } from './options.js'
import { readVersions } from './tags.js'

/**
 * Looks `key` up in L1, then Redis; on a miss takes the fill lease or waits for the instance
 * holding it. Whoever gets a lease must `fulfil` or `abandon` it (fill.ts).
 */
export function lookup (ctx: CacheContext, key: string, o: Effective): Promise<Lookup> {
  const epoch = epochOf(ctx)
  const l1e = ctx.l1?.get(key)
  if (l1e !== undefined) {
    ctx.telemetry.record('hit', key, 'l1')
    return Promise.resolve({ status: 'hit', served: { value: l1e.value, createdAt: l1e.createdAt, refresh: false } })
  }
  if (o.tags.length > 0) return lookupTagged(ctx, key, o, epoch)
  // The common case: one GET, then synchronous work (no further awaits on an L2 hit).
  return ctx.bounded(ctx.redis.get(ctx.keys.entry(key))).then(raw => {
    let stale: Served | undefined
    if (raw !== null) {
      const entry = parseEntry(raw)
      if (entry === null) ctx.telemetry.record('corrupt', key)
      else if (entry.tags === null) {
        const j = judge(ctx, key, { entry, raw, versions: undefined }, o, epoch)
        if (j !== null && j.status !== 'old') return j as Lookup
        if (j !== null) stale = j.served
      } else {
        // Stored with tags the caller did not name: check the entry already read (its tags'
        // versions, one round trip) rather than reading it again.
        return lookupTagged(ctx, key, o, epoch, raw)
      }
    }
    return fill(ctx, key, o, epoch, raw !== null, stale)
  }, err => {
    ctx.telemetry.record('error', err, key)
    return { status: 'bypass', stale: undefined, error: err }
  })
}

/** The lookup of a tagged entry; `raw`: the entry when it was already read (by `lookup`). */
async function lookupTagged (ctx: CacheContext, key: string, o: Effective, epoch: number, raw?: string): Promise<Lookup> {
  let stale: Served | undefined
  let ignoreEntry = false
  try {
    const read = raw === undefined ? await readL2(ctx, key, o.tags) : await checkRaw(ctx, key, raw, o.tags, undefined)
    if (read === CORRUPT) ignoreEntry = true
    else if (read !== null) {
      const j = judge(ctx, key, read, o, epoch)
      if (j !== null && j.status !== 'old') return j as Lookup
      if (j !== null) stale = j.served
      ignoreEntry = true
    }
  } catch (err) {
    ctx.telemetry.record('error', err, key)
    return { status: 'bypass', stale, error: err }
  }
  return await fill(ctx, key, o, epoch, ignoreEntry, stale)
}

/**
 * `lookup` for concurrent readers of one key (the route cache): a caller arriving while another
 * caller's lookup of `key` (with the same options) is in flight shares its answer when that
 * answer is a value (hit or stale) instead of sending a GET of its own: the single flight `wrap`
 * does, for readers that cannot pass a fetcher. A lease or a bypass belongs to the first caller;
 * the others then look up on their own (and wait for the fill, if that is what they find).
 */
export function lookupShared (ctx: CacheContext, key: string, o: Effective): Promise<Lookup> {
  const running = ctx.sharedLookups.get(key)
  if (running !== undefined && running.o === o) {
    return (running.p as Promise<Lookup>).then(r => {
      if (r.status !== 'hit' && r.status !== 'stale') return lookup(ctx, key, o)
      ctx.telemetry.record('dedupe', key)
      // The first caller starts the background refresh, if one is due; once is enough.
      return r.served.refresh ? { status: r.status, served: { ...r.served, refresh: false } } : r
    })
  }
  const p = lookup(ctx, key, o)
  ctx.sharedLookups.set(key, { o, p })
  const done = (): void => { if (ctx.sharedLookups.get(key)?.p === p) ctx.sharedLookups.delete(key) }
  p.then(done, done)
  return p
}

/** Reads the entry (and the versions of `tags`, in the same tick); null when absent. */
async function readL2 (ctx: CacheContext, key: string, tags: readonly string[]): Promise<Read | null | typeof CORRUPT> {
  if (tags.length === 0) {
    const raw = await ctx.bounded(ctx.redis.get(ctx.keys.entry(key)))
    if (raw === null) return null
    const entry = parseEntry(raw)
    // The common case (no tags) stays synchronous after the GET: no extra awaits.
    if (entry !== null && entry.tags === null) return { entry, raw, versions: undefined }
    return await checkRaw(ctx, key, raw, tags, undefined)
  }
  const [raw, versions] = await ctx.bounded(Promise.all([
    ctx.redis.get(ctx.keys.entry(key)),
    readVersions(ctx.redis, ctx.keys, tags, ctx.bounded)
  ]))
  return raw === null ? null : await checkRaw(ctx, key, raw, tags, versions)
}

/** The cached value of `key`, or undefined (also when Redis fails: the error is recorded). */
export function get (ctx: CacheContext, key: string, o: Effective): Promise<unknown> {
  // The L1 hit stays synchronous and small (inlined into Cache#get): one settled promise.
  const e = ctx.l1?.get(key)
  if (e !== undefined) {
    ctx.telemetry.record('hit', key, 'l1')
    return Promise.resolve(out(ctx, e.value))
  }
  return getL2(ctx, key, o)
}

async function getL2 (ctx: CacheContext, key: string, o: Effective): Promise<unknown> {
  const epoch = epochOf(ctx)
  try {
    const read = await readL2(ctx, key, o.tags)
    if (read !== null && read !== CORRUPT) {
      const j = judge(ctx, key, read, o, epoch)
      if (j !== null && j.status !== 'old') return out(ctx, j.served.value)
    }
  } catch (err) {
    ctx.telemetry.record('error', err, key)
    return undefined
  }
  ctx.telemetry.record('miss', key)
  return undefined
}

/** Sync L1 read (no Redis): the entry when it is in L1 and fresh. Used by the route cache. */
export function peek (ctx: CacheContext, key: string): { value: unknown, createdAt: number } | undefined {
  const e = ctx.l1?.get(key)
  if (e === undefined) return undefined
  ctx.telemetry.record('hit', key, 'l1')
  return e
}

// What a stored entry is good for: a fresh hit, a stale value to serve now while it is refreshed
// (stale-while-revalidate), only a fallback if the fetch fails (stale-if-error), or nothing; and
// whether a fresh hit should be refreshed early (XFetch). Also the checks before that judgement:
// the entry parses, and its tags still have the versions it was stored with.
import { fillL1, type CacheContext } from './context.js'
import { parseEntry, type Entry } from './entry.js'
import type { Effective } from './options.js'
import { tagsValid } from './tags.js'

/** A value a lookup found: fresh ('hit') or stale ('stale'). */
export interface Served {
  value: unknown
  /** Redis time (ms) at which it was stored. */
  createdAt: number
  /** True when the caller should start a background refresh (stale-while-revalidate or XFetch). */
  refresh: boolean
}

/** An entry read from L2, with the tag versions read beside it (if the caller named tags). */
export interface Read { entry: Entry, raw: string, versions: Array<string | null> | undefined }

export type Judged = { status: 'hit' | 'stale' | 'old', served: Served }

/** An entry that must not be served: corrupt, or one of its tags was invalidated. */
export const CORRUPT = Symbol('corrupt')

/** Parses and tag-checks a raw entry: CORRUPT when unusable (corrupt, or a tag was invalidated). */
export async function checkRaw (ctx: CacheContext, key: string, raw: string, tags: readonly string[], versions: Array<string | null> | undefined): Promise<Read | typeof CORRUPT> {
  const entry = parseEntry(raw)
  if (entry === null) {
    ctx.telemetry.record('corrupt', key)
    return CORRUPT
  }
  if (entry.tags !== null) {
    const ok = await tagsValid(ctx.redis, ctx.keys, entry.tags, tags, versions, ctx.bounded)
    if (!ok) return CORRUPT
  }
  return { entry, raw, versions }
}

/**
 * Decides what a read entry is good for: a fresh hit (put in L1), a stale value to serve now
 * (stale-while-revalidate), or only a fallback ('old', stale-if-error). Null: nothing.
 */
export function judge (ctx: CacheContext, key: string, read: Read, o: Effective, epoch: number): Judged | null {
  const e = read.entry
  const now = ctx.clock.now()
  const age = now - e.freshUntil
  let status: 'hit' | 'stale' | 'old'
  if (age < 0) status = 'hit'
  else if (age < o.staleWhileRevalidate) status = 'stale'
  else if (age < o.staleIfError) status = 'old'
  else return null
  let value: unknown
  try {
    value = ctx.options.codec.decode(e.payload)
  } catch {
    ctx.telemetry.record('corrupt', key)
    return null
  }
  if (o.revive !== undefined) {
    value = o.revive(value)
    if (value === undefined) { ctx.telemetry.record('corrupt', key); return null }
  }
  let refresh = status === 'stale'
  if (status === 'hit') {
    ctx.telemetry.record('hit', key, 'l2')
    // XFetch (Vattani et al.): refresh early with a probability that rises as expiry nears and
    // with the cost of the fetch, so one caller refreshes before everyone misses at once.
    const beta = ctx.options.earlyRefresh
    if (beta > 0 && e.delta > 0 && now - e.delta * beta * Math.log(Math.random()) >= e.freshUntil) refresh = true
    fillL1(ctx, key, value, e.createdAt, e.freshUntil, o, read.raw.length, epoch)
  } else if (status === 'stale') {
    ctx.telemetry.record('stale', key, 'revalidate')
  }
  return { status, served: { value, createdAt: e.createdAt, refresh } }
}

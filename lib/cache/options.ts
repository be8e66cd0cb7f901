// Cache options, validated and normalized once at construction; per-call options are merged
// onto the defaults (`Effective`) with no validation on the hot path beyond cheap type checks.
import { createCodec, defaultCodec, type Codec, type CodecOptions } from '../shared/codec.js'
import { invalid, optBool, optDuration, optInt, optNumber, optString, rejectUnknown, toMs, type Duration } from '../shared/options.js'

export interface Logger {
  warn: (obj: unknown, msg?: string) => void
  error?: (obj: unknown, msg?: string) => void
}

export interface L1Options {
  /** Most entries kept in memory (default 10,000). */
  maxEntries?: number
  /** Most bytes kept in memory, counted on the encoded size (default 64 MiB). */
  maxBytes?: number
  /** Longest life of an L1 entry, ms or a duration string (default 5,000); never longer than the L2 entry's fresh life. */
  ttl?: Duration
  /** Return a structuredClone of L1 values instead of the shared object (default false). */
  clone?: boolean
}

export interface CacheOptions {
  /** Global key prefix (default 'frp'); keys are `prefix:cache:{key}`. */
  prefix?: string
  /** Default fresh TTL, ms or a duration string ('1m'; default 60,000). */
  ttl?: Duration
  /** Default stale-while-revalidate window after the TTL, ms or a duration string (default 0). */
  staleWhileRevalidate?: Duration
  /** Default stale-if-error window after the TTL, ms or a duration string (default 0). */
  staleIfError?: Duration
  /** Default TTL jitter, a fraction in [0, 1): the TTL is shortened by up to this share (default 0). */
  jitter?: number
  /** XFetch beta: > 0 refreshes early with a probability rising near expiry (default 1; 0 disables). */
  earlyRefresh?: number
  /** TTL for a `null` returned by a fetcher (negative caching), ms or a duration string; default: the normal TTL. */
  negativeTtl?: Duration
  /** In-memory L1; `false` disables it (default enabled). */
  l1?: L1Options | false
  /** Bound on every Redis call, ms or a duration string (default 1,000). */
  commandTimeout?: Duration
  /** How long one fetch may hold the fill lease before another instance takes over (ms or a duration string, default 10,000). */
  leaseTtl?: Duration
  /** Longest total wait for another instance's fill before failing with FRP_CACHE_WAIT_TIMEOUT (ms or a duration string, default 15,000). */
  maxWait?: Duration
  /** Codec options or a codec (default: the shared codec). */
  codec?: CodecOptions | Codec
  /** Where Redis errors are logged (a pino/Fastify logger or console); default: none. */
  logger?: Logger
}

export interface CallOptions {
  /** Fresh TTL, ms or a duration string. */
  ttl?: Duration
  tags?: readonly string[]
  /** Ms or a duration string. */
  staleWhileRevalidate?: Duration
  /** Ms or a duration string. */
  staleIfError?: Duration
  /** L1 life for this entry, ms or a duration string; 0 keeps it out of L1. */
  l1Ttl?: Duration
  jitter?: number
}

/** L1 options after validation and defaults: `ttl` in ms. */
export type NormalizedL1Options = Omit<Required<L1Options>, 'ttl'> & { ttl: number }

/** Cache options after validation and defaults (`normalizeCacheOptions`). */
export interface NormalizedCacheOptions {
  prefix: string
  ttl: number
  staleWhileRevalidate: number
  staleIfError: number
  jitter: number
  earlyRefresh: number
  negativeTtl: number | undefined
  l1: NormalizedL1Options | false
  commandTimeout: number
  leaseTtl: number
  maxWait: number
  codec: Codec
  logger: Logger | undefined
}

const KNOWN = ['prefix', 'ttl', 'staleWhileRevalidate', 'staleIfError', 'jitter', 'earlyRefresh', 'negativeTtl',
  'l1', 'commandTimeout', 'leaseTtl', 'maxWait', 'codec', 'logger'] as const

export const CACHE_OPTION_NAMES: readonly string[] = KNOWN

export function normalizeCacheOptions (o: CacheOptions = {}, where = 'cache'): NormalizedCacheOptions {
  rejectUnknown(where, o, KNOWN)
  const l1 = normalizeL1(o.l1, `${where}.l1`)
  let codec: Codec
  if (o.codec === undefined) codec = defaultCodec
  else if (typeof (o.codec as Codec).encode === 'function') codec = o.codec as Codec
  else codec = createCodec(o.codec as CodecOptions)
  const logger = o.logger
  if (logger !== undefined && (logger === null || typeof logger.warn !== 'function')) throw invalid(`${where}.logger`, 'must have a warn() method')
  return {
    prefix: optString(`${where}.prefix`, o.prefix, 'frp'),
    ttl: optDuration(`${where}.ttl`, o.ttl, 60_000, 1),
    staleWhileRevalidate: optDuration(`${where}.staleWhileRevalidate`, o.staleWhileRevalidate, 0),
    staleIfError: optDuration(`${where}.staleIfError`, o.staleIfError, 0),
    jitter: optNumber(`${where}.jitter`, o.jitter, 0, 0, 0.99),
    earlyRefresh: optNumber(`${where}.earlyRefresh`, o.earlyRefresh, 1, 0, 100),
    negativeTtl: o.negativeTtl === undefined ? undefined : optDuration(`${where}.negativeTtl`, o.negativeTtl, 0, 1),
    l1,
    commandTimeout: optDuration(`${where}.commandTimeout`, o.commandTimeout, 1000, 1),
    leaseTtl: optDuration(`${where}.leaseTtl`, o.leaseTtl, 10_000, 10),
    maxWait: optDuration(`${where}.maxWait`, o.maxWait, 15_000, 1),
    codec,
    logger
  }
}

function normalizeL1 (l1: unknown, where: string): NormalizedL1Options | false {
  if (l1 === false) return false
  const o = (l1 ?? {}) as L1Options
  rejectUnknown(where, o, ['maxEntries', 'maxBytes', 'ttl', 'clone'])
  return {
    maxEntries: optInt(`${where}.maxEntries`, o.maxEntries, 10_000, 1),
    maxBytes: optInt(`${where}.maxBytes`, o.maxBytes, 64 * 1024 * 1024, 1),
    ttl: optDuration(`${where}.ttl`, o.ttl, 5_000, 1),
    clone: optBool(`${where}.clone`, o.clone, false)
  }
}

const CALL_KNOWN = ['ttl', 'tags', 'staleWhileRevalidate', 'staleIfError', 'l1Ttl', 'jitter']

/** Checks per-call options (cheap; skipped entirely when none are given). */
export function checkCallOptions (o: CallOptions): void {
  rejectUnknown('options', o, CALL_KNOWN)
  if (o.ttl !== undefined) optDuration('ttl', o.ttl, 0, 1)
  if (o.staleWhileRevalidate !== undefined) optDuration('staleWhileRevalidate', o.staleWhileRevalidate, 0)
  if (o.staleIfError !== undefined) optDuration('staleIfError', o.staleIfError, 0)
  if (o.l1Ttl !== undefined) optDuration('l1Ttl', o.l1Ttl, 0)
  if (o.jitter !== undefined) optNumber('jitter', o.jitter, 0, 0, 0.99)
  if (o.tags !== undefined) checkTags(o.tags)
}

export function checkTags (tags: unknown): asserts tags is readonly string[] {
  if (!Array.isArray(tags)) throw invalid('tags', 'must be an array of strings')
  for (const t of tags) if (typeof t !== 'string' || t.length === 0) throw invalid('tags', 'must contain non-empty strings')
}

/** Validates a user cache key (a non-empty string). */
export function checkKey (key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw invalid('key', 'must be a non-empty string')
}

/** Per-call options after defaults are applied. Internal: the route cache builds its own. */
export interface Effective {
  ttl: number
  tags: readonly string[]
  staleWhileRevalidate: number
  staleIfError: number
  l1Ttl: number
  jitter: number
  /**
   * Turns a decoded stored value into what callers (and L1) get; undefined reads as a miss.
   * Lets a caller store a compact form and keep the parsed form in L1 (the route cache does).
   */
  revive?: (stored: unknown) => unknown
}

/** The per-call defaults of a cache: what a call without options runs under. */
export function defaultEffective (o: NormalizedCacheOptions): Effective {
  return {
    ttl: o.ttl,
    tags: [],
    staleWhileRevalidate: o.staleWhileRevalidate,
    staleIfError: o.staleIfError,
    l1Ttl: o.l1 === false ? 0 : o.l1.ttl,
    jitter: o.jitter
  }
}

/** Per-call options merged onto the defaults `d` (validated). */
export function effective (d: Effective, opts: CallOptions): Effective {
  checkCallOptions(opts)
  return {
    ttl: ms(opts.ttl, d.ttl),
    tags: opts.tags ?? d.tags,
    staleWhileRevalidate: ms(opts.staleWhileRevalidate, d.staleWhileRevalidate),
    staleIfError: ms(opts.staleIfError, d.staleIfError),
    l1Ttl: ms(opts.l1Ttl, d.l1Ttl),
    jitter: opts.jitter ?? d.jitter,
    revive: d.revive
  }
}

/** A per-call duration already checked by checkCallOptions, in ms: numbers pass straight through. */
function ms (v: Duration | undefined, def: number): number {
  if (v === undefined) return def
  return typeof v === 'number' ? v : toMs(v, 0, Number.MAX_SAFE_INTEGER, why => invalid('options', why))
}

/** Per-call options checked, with their durations in ms: for options given once and used per call. */
export function callOptionsInMs (o: CallOptions): CallOptions {
  checkCallOptions(o)
  const inMs = (v: Duration | undefined): number | undefined => v === undefined ? undefined : ms(v, 0)
  return { ...o, ttl: inMs(o.ttl), staleWhileRevalidate: inMs(o.staleWhileRevalidate), staleIfError: inMs(o.staleIfError), l1Ttl: inMs(o.l1Ttl) }
}

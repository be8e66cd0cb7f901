// Cache options, validated and normalized once at construction; per-call options are merged
// onto the defaults (`Effective`) with no validation on the hot path beyond cheap type checks.
import { createCodec, defaultCodec, type Codec, type CodecOptions } from '../shared/codec.js'
import { invalid, optBool, optInt, optNumber, optString, rejectUnknown } from '../shared/options.js'

export interface Logger {
  warn: (obj: unknown, msg?: string) => void
  error?: (obj: unknown, msg?: string) => void
}

export interface L1Options {
  /** Most entries kept in memory (default 10,000). */
  maxEntries?: number
  /** Most bytes kept in memory, counted on the encoded size (default 64 MiB). */
  maxBytes?: number
  /** Longest life of an L1 entry in ms (default 5,000); never longer than the L2 entry's fresh life. */
  ttl?: number
  /** Return a structuredClone of L1 values instead of the shared object (default false). */
  clone?: boolean
}

export interface CacheOptions {
  /** Global key prefix (default 'frp'); keys are `prefix:cache:{key}`. */
  prefix?: string
  /** Default fresh TTL in ms (default 60,000). */
  ttl?: number
  /** Default stale-while-revalidate window in ms after the TTL (default 0). */
  staleWhileRevalidate?: number
  /** Default stale-if-error window in ms after the TTL (default 0). */
  staleIfError?: number
  /** Default TTL jitter, a fraction in [0, 1): the TTL is shortened by up to this share (default 0). */
  jitter?: number
  /** XFetch beta: > 0 refreshes early with a probability rising near expiry (default 1; 0 disables). */
  earlyRefresh?: number
  /** TTL in ms for a `null` returned by a fetcher (negative caching); default: the normal TTL. */
  negativeTtl?: number
  /** In-memory L1; `false` disables it (default enabled). */
  l1?: L1Options | false
  /** Bound in ms on every Redis call (default 1,000). */
  commandTimeout?: number
  /** How long one fetch may hold the fill lease before another instance takes over (ms, default 10,000). */
  leaseTtl?: number
  /** Longest total wait for another instance's fill before failing with FRP_CACHE_WAIT_TIMEOUT (ms, default 15,000). */
  maxWait?: number
  /** Codec options or a codec (default: the shared codec). */
  codec?: CodecOptions | Codec
  /** Where Redis errors are logged (a pino/Fastify logger or console); default: none. */
  logger?: Logger
}

export interface CallOptions {
  ttl?: number
  tags?: readonly string[]
  staleWhileRevalidate?: number
  staleIfError?: number
  /** L1 life in ms for this entry; 0 keeps it out of L1. */
  l1Ttl?: number
  jitter?: number
}

/** Cache options after validation and defaults (`normalizeCacheOptions`). */
export interface NormalizedCacheOptions {
  prefix: string
  ttl: number
  staleWhileRevalidate: number
  staleIfError: number
  jitter: number
  earlyRefresh: number
  negativeTtl: number | undefined
  l1: Required<L1Options> | false
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
    ttl: optInt(`${where}.ttl`, o.ttl, 60_000, 1),
    staleWhileRevalidate: optInt(`${where}.staleWhileRevalidate`, o.staleWhileRevalidate, 0),
    staleIfError: optInt(`${where}.staleIfError`, o.staleIfError, 0),
    jitter: optNumber(`${where}.jitter`, o.jitter, 0, 0, 0.99),
    earlyRefresh: optNumber(`${where}.earlyRefresh`, o.earlyRefresh, 1, 0, 100),
    negativeTtl: o.negativeTtl === undefined ? undefined : optInt(`${where}.negativeTtl`, o.negativeTtl, 0, 1),
    l1,
    commandTimeout: optInt(`${where}.commandTimeout`, o.commandTimeout, 1000, 1),
    leaseTtl: optInt(`${where}.leaseTtl`, o.leaseTtl, 10_000, 10),
    maxWait: optInt(`${where}.maxWait`, o.maxWait, 15_000, 1),
    codec,
    logger
  }
}

function normalizeL1 (l1: unknown, where: string): Required<L1Options> | false {
  if (l1 === false) return false
  const o = (l1 ?? {}) as L1Options
  rejectUnknown(where, o, ['maxEntries', 'maxBytes', 'ttl', 'clone'])
  return {
    maxEntries: optInt(`${where}.maxEntries`, o.maxEntries, 10_000, 1),
    maxBytes: optInt(`${where}.maxBytes`, o.maxBytes, 64 * 1024 * 1024, 1),
    ttl: optInt(`${where}.ttl`, o.ttl, 5_000, 1),
    clone: optBool(`${where}.clone`, o.clone, false)
  }
}

const CALL_KNOWN = ['ttl', 'tags', 'staleWhileRevalidate', 'staleIfError', 'l1Ttl', 'jitter']

/** Checks per-call options (cheap; skipped entirely when none are given). */
export function checkCallOptions (o: CallOptions): void {
  rejectUnknown('options', o, CALL_KNOWN)
  if (o.ttl !== undefined) optInt('ttl', o.ttl, 0, 1)
  if (o.staleWhileRevalidate !== undefined) optInt('staleWhileRevalidate', o.staleWhileRevalidate, 0)
  if (o.staleIfError !== undefined) optInt('staleIfError', o.staleIfError, 0)
  if (o.l1Ttl !== undefined) optInt('l1Ttl', o.l1Ttl, 0)
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
    ttl: opts.ttl ?? d.ttl,
    tags: opts.tags ?? d.tags,
    staleWhileRevalidate: opts.staleWhileRevalidate ?? d.staleWhileRevalidate,
    staleIfError: opts.staleIfError ?? d.staleIfError,
    l1Ttl: opts.l1Ttl ?? d.l1Ttl,
    jitter: opts.jitter ?? d.jitter,
    revive: d.revive
  }
}

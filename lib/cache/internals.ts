// The route cache's way into a Cache: the lease-level API (`lookup`, `fulfil`, ...) that `wrap` is
// built on, for callers that cannot pass a fetcher (the route cache fills from a reply in
// onSend). Not part of the package's API: neither lib/cache/index.ts nor the root index.ts
// exports this module; plugins/cache.ts imports it directly.
import type { CacheContext } from './context.js'
import { abandon, fulfil, refreshLease, type FulfilOptions, type Lease, type Lookup } from './fill.js'
import type { Served } from './freshness.js'
import { effective, type CallOptions, type Effective, type NormalizedCacheOptions } from './options.js'
import { lookup, lookupShared, peek } from './read.js'

export type { Effective, Lease, Lookup, Served, FulfilOptions }

export class CacheInternals {
  readonly #ctx: CacheContext

  constructor (ctx: CacheContext) {
    this.#ctx = ctx
  }

  get options (): NormalizedCacheOptions { return this.#ctx.options }
  /** Per-call options of a call without options. */
  get defaults (): Effective { return this.#ctx.defaults }

  /** Per-call options merged onto the defaults (validated). */
  effective (opts: CallOptions): Effective { return effective(this.#ctx.defaults, opts) }

  /** L1, then Redis; on a miss the fill lease (call `fulfil` or `abandon` with it) or the filled value. */
  lookup (key: string, o: Effective = this.#ctx.defaults): Promise<Lookup> { return lookup(this.#ctx, key, o) }

  /** `lookup`, sharing a concurrent caller's read of the same key (see read.ts). */
  lookupShared (key: string, o: Effective = this.#ctx.defaults): Promise<Lookup> { return lookupShared(this.#ctx, key, o) }

  /** The fill lease for a background refresh, without waiting; null when someone holds it. */
  refreshLease (key: string, o: Effective = this.#ctx.defaults): Promise<Lease | null> { return refreshLease(this.#ctx, key, o) }

  /** Stores a lease's result (unless the key was invalidated meanwhile); true when stored. */
  fulfil (lease: Lease, value: unknown, opts?: FulfilOptions): Promise<boolean> { return fulfil(this.#ctx, lease, value, opts) }

  /** Gives a lease up; waiters re-check (or, with `pass`, fetch themselves). */
  abandon (lease: Lease, pass = false): Promise<void> { return abandon(this.#ctx, lease, pass) }

  /** Sync L1 read (no Redis): the entry when it is in L1 and fresh (counted as an L1 hit). */
  peek (key: string): { value: unknown, createdAt: number } | undefined { return peek(this.#ctx, key) }

  /** Records a failure the caller falls back from: counted, logged, emitted as 'error'. */
  fail (err: unknown, key: string): void { this.#ctx.telemetry.record('error', err, key) }

  /** Current Redis time (ms), estimated locally (for `age`). */
  redisNow (): number { return this.#ctx.clock.now() }
}

const registry = new WeakMap<object, CacheInternals>()

/** Called once by the Cache constructor. */
export function registerInternals (cache: object, ctx: CacheContext): void {
  registry.set(cache, new CacheInternals(ctx))
}

/** The internals of `cache` (a Cache); throws for anything else. */
export function cacheInternals (cache: object): CacheInternals {
  const i = registry.get(cache)
  if (i === undefined) throw new TypeError('not a Cache')
  return i
}

// The cache core: cache-aside (`wrap`), get/set/del, write-through, write-behind, tags, prefix
// invalidation, an L1 kept coherent by the invalidation bus, cross-instance stampede protection
// and a fail-open policy (Redis down or slow: `wrap` serves from the fetcher). Framework-free.
// This class is the facade: validation of arguments, then one module per concept does the work
// (read.ts, fill.ts, wrap.ts, write.ts, invalidate.ts, telemetry.ts over context.ts).
import type { RedisClient } from '../shared/connection.js'
import { TypedEmitter } from '../shared/events.js'
import { invalid } from '../shared/options.js'
import { createContext, type CacheContext } from './context.js'
import { registerInternals } from './internals.js'
import { invalidate, invalidateTags, sweep } from './invalidate.js'
import { checkCallOptions, checkKey, checkTags, effective, type CacheOptions, type CallOptions, type Effective } from './options.js'
import { get } from './read.js'
import type { CacheEvents, CacheStats } from './telemetry.js'
import { wrap, type Fetcher } from './wrap.js'
import { write, writeThrough } from './write.js'
import { WriteBehind, type BufferOwner, type WriteBehindOptions } from './write-behind.js'

export class Cache extends TypedEmitter<CacheEvents> {
  /** Resolves once the invalidation bus is live (L1 is bypassed until then); never rejects. */
  readonly ready: Promise<void>
  readonly #ctx: CacheContext
  readonly #buffers = new Set<WriteBehind<any>>()
  #owner: BufferOwner | null = null

  constructor (redis: RedisClient, options: CacheOptions = {}) {
    super()
    const ctx = this.#ctx = createContext(redis, options, this)
    registerInternals(this, ctx)
    ctx.clock.start(30_000)
    const wait = Math.max(2000, ctx.options.commandTimeout)
    this.ready = Promise.all([ctx.bus.start(wait), ctx.notifier.ready(ctx.keys.fillChannel, wait)])
      .then(() => {}, err => ctx.telemetry.record('error', err, '(subscriber)'))
  }

  // --- reads ---------------------------------------------------------------------------------

  /**
   * Returns the cached value of `key`, or runs `fetcher` (once across every instance sharing
   * Redis), caches its result and returns it. `undefined` results are returned, not cached.
   * Redis failures fall back to calling `fetcher` (fail-open).
   */
  wrap<T> (key: string, fetcher: Fetcher<T>, opts?: CallOptions): Promise<T> {
    return wrap(this.#ctx, key, fetcher, opts)
  }

  /** The cached value of `key`, or undefined (also when Redis fails: the error is counted). */
  get<T = unknown> (key: string, opts?: CallOptions): Promise<T | undefined> {
    const ctx = this.#ctx
    let o: Effective
    try {
      checkKey(key)
      o = opts === undefined ? ctx.defaults : effective(ctx.defaults, opts)
    } catch (err) {
      return Promise.reject(err)
    }
    return get(ctx, key, o) as Promise<T | undefined>
  }

  async has (key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined
  }

  async getMany<T = unknown> (keys: readonly string[], opts?: CallOptions): Promise<Array<T | undefined>> {
    return await Promise.all(keys.map(k => this.get<T>(k, opts)))
  }

  // --- writes --------------------------------------------------------------------------------

  /**
   * Writes `value` to the cache now (after the origin was written): wins over fetches in flight,
   * peers drop their L1 copy. Rejects on Redis errors (the caller should know the cache may be stale).
   */
  async set (key: string, value: unknown, opts?: CallOptions): Promise<void> {
    checkKey(key)
    await write(this.#ctx, key, value, this.#effective(opts))
  }

  async setMany (entries: ReadonlyArray<{ key: string, value: unknown, options?: CallOptions }>): Promise<void> {
    await Promise.all(entries.map(e => this.set(e.key, e.value, e.options)))
  }

  /**
   * Write-through: reads the key's generation, runs `writer` (which writes the origin and returns
   * the new value), then caches the value unless the key was invalidated meanwhile (then the
   * entry is deleted: the order of the two writes is unknown). Returns the writer's value.
   */
  async writeThrough<T> (key: string, writer: () => T | Promise<T>, opts?: CallOptions): Promise<T> {
    checkKey(key)
    return await writeThrough(this.#ctx, key, writer, this.#effective(opts))
  }

  /** Buffered writes kept in Redis and flushed in batches to the origin (see write-behind.ts). */
  writeBehind<T = unknown> (name: string, options: WriteBehindOptions<T>): WriteBehind<T> {
    const wb = new WriteBehind<T>(this.#bufferOwner(), name, options)
    this.#buffers.add(wb)
    wb.once('close', () => this.#buffers.delete(wb))
    return wb
  }

  // --- invalidation --------------------------------------------------------------------------

  /** Deletes `key` everywhere (Redis and every instance's L1); a fetch in flight cannot store over it. */
  async invalidate (key: string): Promise<void> {
    checkKey(key)
    await invalidate(this.#ctx, key)
  }

  del (key: string): Promise<void> { return this.invalidate(key) }

  /** Invalidates every entry carrying any of `tags` (one atomic version bump + broadcast per tag). */
  async invalidateTags (tags: readonly string[]): Promise<void> {
    checkTags(tags)
    await invalidateTags(this.#ctx, tags)
  }

  /**
   * Invalidates every key starting with `prefix`: SCAN (never KEYS) on every master, each key
   * invalidated by the same script as `invalidate`. Peers are told before and after the scan.
   */
  async invalidatePrefix (prefix: string): Promise<number> {
    if (typeof prefix !== 'string') throw invalid('prefix', 'must be a string')
    return await sweep(this.#ctx, 'p', prefix)
  }

  /** Invalidates every key of this cache (its prefix only; never FLUSHALL). */
  async clear (): Promise<number> {
    return await sweep(this.#ctx, 'c', '')
  }

  // --- misc ----------------------------------------------------------------------------------

  /** Counters since construction, plus the L1 size. */
  stats (): CacheStats & { l1Entries: number, l1Bytes: number, busLive: boolean } {
    const { l1, notifier, telemetry } = this.#ctx
    return { ...telemetry.snapshot(), l1Entries: l1?.size ?? 0, l1Bytes: l1?.bytes ?? 0, busLive: l1?.live ?? notifier.isLive }
  }

  /** Flushes and closes write-behind buffers, then the subscriber (if no one else uses it). */
  async close (): Promise<void> {
    const ctx = this.#ctx
    if (ctx.closed) return
    ctx.closed = true
    for (const wb of [...this.#buffers]) await wb.close()
    ctx.clock.stop()
    ctx.bus.stop()
    await ctx.notifier.release()
  }

  #effective (opts: CallOptions | undefined): Effective {
    return opts === undefined ? this.#ctx.defaults : effective(this.#ctx.defaults, opts)
  }

  /** What a write-behind buffer needs of this cache (made on the first `writeBehind`). */
  #bufferOwner (): BufferOwner {
    if (this.#owner !== null) return this.#owner
    const ctx = this.#ctx
    this.#owner = {
      redis: ctx.redis,
      space: ctx.keys.bufferSpace,
      bounded: ctx.bounded,
      rejectCoded: ctx.fail,
      codec: ctx.options.codec,
      set: (key, value, opts) => this.set(key, value, opts),
      checkCallOptions,
      fail: (err, key) => ctx.telemetry.record('error', err, key),
      warn: (obj, msg) => ctx.telemetry.warn(obj, msg)
    }
    return this.#owner
  }
}

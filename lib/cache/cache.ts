// The cache core: cache-aside (`wrap`), get/set/del, write-through, tags, prefix invalidation,
// an L1 kept coherent by the invalidation bus, cross-instance stampede protection and a
// fail-open policy (Redis down or slow: `wrap` serves from the fetcher). Framework-free.
import { EventEmitter } from 'node:events'
import { randomBytes } from 'node:crypto'
import { asUnavailable, boundFor, escapeGlob, masters, withTimeout, type Bound, type RedisClient } from '../shared/connection.js'
import { escapeTag } from '../shared/keys.js'
import { invalid } from '../shared/options.js'
import { Notifier } from '../shared/notifier.js'
import { RedisClock } from './clock.js'
import { parseEntry, tagsBlob, type Entry } from './entry.js'
import { InvalidationBus, type BusKind } from './invalidation-bus.js'
import { CacheKeys, randomVersion, unescapeTag } from './keys.js'
import { L1 } from './l1.js'
import { checkCallOptions, checkKey, checkTags, resolveOptions, type CacheOptions, type CallOptions, type Resolved } from './options.js'
import { scripts } from './scripts.js'
import { acquire, release, tryLease, type LeaseContext } from './stampede.js'
import { emptyStats, type CacheStats } from './stats.js'
import { bumpTags, initVersions, readVersions, tagsValid } from './tags.js'
import { WriteBehind, type WriteBehindOptions } from './write-behind.js'

export type Fetcher<T> = () => T | Promise<T>

/** Per-call options after defaults are applied. */
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

/** A value a lookup found: fresh ('hit') or stale ('stale'). */
export interface Served {
  value: unknown
  /** Redis time (ms) at which it was stored. */
  createdAt: number
  /** True when the caller should start a background refresh (stale-while-revalidate or XFetch). */
  refresh: boolean
}

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
  /** Redis unavailable, or the last fill was uncacheable: run the fetch without caching. */
  | { status: 'bypass', stale: Served | undefined }

interface Read { entry: Entry, raw: string, versions: Array<string | null> | undefined }

const CORRUPT = Symbol('corrupt')
const GEN_SLACK = 60_000

export class Cache extends EventEmitter {
  readonly redis: RedisClient
  readonly options: Resolved
  readonly keys: CacheKeys
  /** Resolves once the invalidation bus is live (L1 is bypassed until then); never rejects. */
  readonly ready: Promise<void>
  private readonly l1: L1 | null
  private readonly bus: InvalidationBus
  private readonly notifier: Notifier
  private readonly clock: RedisClock
  private readonly ctx: LeaseContext
  private readonly defaults: Effective
  private readonly inflight = new Map<string, Promise<unknown>>()
  /** Lookups in flight for `lookupShared`, with the options they run under. */
  private readonly sharedLookups = new Map<string, { o: Effective, p: Promise<Lookup> }>()
  private readonly refreshing = new Set<string>()
  private readonly buffers = new Set<WriteBehind<any>>()
  private readonly counters: CacheStats = emptyStats()
  private readonly clone: boolean
  private observed = false
  private closed = false
  /**
   * Bounds one command. A standalone client whose own commandTimeout is at most ours already
   * bounds every command (ioredis arms the timer even for commands queued while offline), so the
   * extra timer is skipped on that hot path.
   */
  private readonly bounded: Bound

  constructor (redis: RedisClient, options: CacheOptions = {}) {
    super()
    this.redis = redis
    this.options = resolveOptions(options)
    const o = this.options
    this.keys = new CacheKeys(o.prefix)
    this.l1 = o.l1 === false ? null : new L1({ maxEntries: o.l1.maxEntries, maxBytes: o.l1.maxBytes })
    this.clone = o.l1 !== false && o.l1.clone
    this.defaults = {
      ttl: o.ttl,
      tags: [],
      staleWhileRevalidate: o.staleWhileRevalidate,
      staleIfError: o.staleIfError,
      l1Ttl: o.l1 === false ? 0 : o.l1.ttl,
      jitter: o.jitter
    }
    this.bounded = boundFor(redis, o.commandTimeout)
    this.notifier = Notifier.for(redis).retain()
    this.clock = new RedisClock(redis, o.commandTimeout)
    this.clock.start(30_000)
    this.ctx = {
      redis,
      keys: this.keys,
      notifier: this.notifier,
      commandTimeout: o.commandTimeout,
      leaseTtl: o.leaseTtl,
      maxWait: o.maxWait,
      genTtl: o.leaseTtl + o.maxWait + GEN_SLACK
    }
    const id = randomBytes(6).toString('base64url')
    this.bus = new InvalidationBus(this.notifier, this.keys.busChannel, this.l1, id, {
      onMessage: (kind, subject) => {
        this.counters.busMessages++
        if (this.observed) this.emit('invalidate', kind, subject, 'remote')
      },
      onFlush: reason => {
        this.counters.l1Flushes++
        if (this.observed) this.emit('flush', reason)
      }
    })
    this.on('newListener', () => { this.observed = true })
    this.ready = Promise.all([
      this.bus.start(Math.max(2000, o.commandTimeout)),
      this.notifier.ready(this.keys.fillChannel, Math.max(2000, o.commandTimeout))
    ]).then(() => {}, err => this.fail(err, '(subscriber)'))
  }

  // --- cache-aside -------------------------------------------------------------------------

  /**
   * Returns the cached value of `key`, or runs `fetcher` (once across every instance sharing
   * Redis), caches its result and returns it. `undefined` results are returned, not cached.
   * Redis failures fall back to calling `fetcher` (fail-open).
   */
  wrap<T> (key: string, fetcher: Fetcher<T>, opts?: CallOptions): Promise<T> {
    const l1 = this.l1
    if (l1 !== null && l1.live) {
      const e = l1.get(key)
      if (e !== undefined) {
        this.counters.l1Hits++
        if (this.observed) this.emit('hit', key, 'l1')
        return Promise.resolve((this.clone ? structuredClone(e.value) : e.value) as T)
      }
    }
    const running = this.inflight.get(key)
    if (running !== undefined) {
      this.counters.dedupeJoins++
      if (this.observed) this.emit('dedupe', key)
      return running as Promise<T>
    }
    let o: Effective
    try {
      checkKey(key)
      if (typeof fetcher !== 'function') throw invalid('fetcher', 'must be a function')
      o = opts === undefined ? this.defaults : this.effective(opts)
    } catch (err) {
      return Promise.reject(err)
    }
    const p = this.wrapMiss(key, fetcher, o)
    this.inflight.set(key, p)
    const done = (): void => { if (this.inflight.get(key) === p) this.inflight.delete(key) }
    p.then(done, done)
    return p
  }

  private async wrapMiss<T> (key: string, fetcher: Fetcher<T>, o: Effective): Promise<T> {
    const r = await this.lookup(key, o)
    switch (r.status) {
      case 'hit': case 'stale':
        if (r.served.refresh) this.refreshInBackground(key, fetcher, o)
        return this.out(r.served.value) as T
      case 'bypass': return await this.runUncached(fetcher, r.stale)
      case 'lease': return await this.fillLease(r.lease, fetcher)
    }
  }

  private async runUncached<T> (fetcher: Fetcher<T>, stale: Served | undefined): Promise<T> {
    this.counters.fetches++
    try {
      return await fetcher()
    } catch (err) {
      if (stale === undefined) throw err
      this.counters.staleServed++
      return stale.value as T
    }
  }

  private async fillLease<T> (lease: Lease, fetcher: Fetcher<T>): Promise<T> {
    this.counters.fetches++
    if (this.observed) this.emit('fetch', lease.key)
    const t0 = performance.now()
    let value: T
    try {
      value = await fetcher()
    } catch (err) {
      this.abandon(lease, false).catch(() => {})
      if (lease.stale !== undefined) {
        this.counters.staleServed++
        if (this.observed) this.emit('stale', lease.key, 'error')
        return lease.stale.value as T
      }
      throw err
    }
    await this.fulfil(lease, value, { duration: performance.now() - t0 })
    return value
  }

  /**
   * `lookup` for concurrent readers of one key (the route cache): a caller arriving while another
   * caller's lookup of `key` (with the same options) is in flight shares its answer when that
   * answer is a value (hit or stale) instead of sending a GET of its own: the single flight `wrap`
   * does, for readers that cannot pass a fetcher. A lease or a bypass belongs to the first caller;
   * the others then look up on their own (and wait for the fill, if that is what they find).
   */
  lookupShared (key: string, o: Effective = this.defaults): Promise<Lookup> {
    const running = this.sharedLookups.get(key)
    if (running !== undefined && running.o === o) {
      return running.p.then(r => {
        if (r.status !== 'hit' && r.status !== 'stale') return this.lookup(key, o)
        this.counters.dedupeJoins++
        if (this.observed) this.emit('dedupe', key)
        // The first caller starts the background refresh, if one is due; once is enough.
        return r.served.refresh ? { status: r.status, served: { ...r.served, refresh: false } } : r
      })
    }
    const p = this.lookup(key, o)
    this.sharedLookups.set(key, { o, p })
    const done = (): void => { if (this.sharedLookups.get(key)?.p === p) this.sharedLookups.delete(key) }
    p.then(done, done)
    return p
  }

  /**
   * Looks `key` up in L1, then Redis; on a miss takes the fill lease or waits for the instance
   * holding it. Lower-level than `wrap` (the route cache uses it); call `fulfil` or `abandon`
   * with a lease you get.
   */
  lookup (key: string, o: Effective = this.defaults): Promise<Lookup> {
    const epoch = this.l1 === null ? 0 : this.l1.epoch
    const l1e = this.l1?.get(key)
    if (l1e !== undefined) {
      this.counters.l1Hits++
      return Promise.resolve({ status: 'hit', served: { value: l1e.value, createdAt: l1e.createdAt, refresh: false } })
    }
    if (o.tags.length > 0) return this.lookupTagged(key, o, epoch)
    // The common case: one GET, then synchronous work (no further awaits on an L2 hit).
    return this.bounded(this.redis.get(this.keys.entry(key))).then(raw => {
      let stale: Served | undefined
      if (raw !== null) {
        const entry = parseEntry(raw)
        if (entry === null) this.counters.corrupt++
        else if (entry.tags === null) {
          const j = this.judge(key, { entry, raw, versions: undefined }, o, epoch)
          if (j !== null && j.status !== 'old') return j as Lookup
          if (j !== null) stale = j.served
        } else {
          return this.lookupTagged(key, o, epoch)
        }
      }
      return this.fill(key, o, epoch, raw !== null, stale)
    }, err => {
      this.fail(err, key)
      return { status: 'bypass', stale: undefined }
    })
  }

  private async lookupTagged (key: string, o: Effective, epoch: number): Promise<Lookup> {
    let stale: Served | undefined
    let ignoreEntry = false
    try {
      const read = await this.readL2(key, o.tags)
      if (read === CORRUPT) ignoreEntry = true
      else if (read !== null) {
        const j = this.judge(key, read, o, epoch)
        if (j !== null && j.status !== 'old') return j as Lookup
        if (j !== null) stale = j.served
        ignoreEntry = true
      }
    } catch (err) {
      this.fail(err, key)
      return { status: 'bypass', stale }
    }
    return await this.fill(key, o, epoch, ignoreEntry, stale)
  }

  /** The miss path: take the fill lease, or wait for whoever holds it. */
  private async fill (key: string, o: Effective, epoch: number, ignoreEntry: boolean, stale: Served | undefined): Promise<Lookup> {
    this.counters.misses++
    if (this.observed) this.emit('miss', key)
    for (;;) {
      let a
      try {
        a = await acquire(this.ctx, key, ignoreEntry, () => {
          this.counters.waits++
          if (this.observed) this.emit('wait', key)
        })
      } catch (err) {
        if ((err as { code?: string }).code === 'FRP_CACHE_WAIT_TIMEOUT') {
          if (stale !== undefined) {
            // In place of the timeout error: emitted like every other stale value served.
            this.counters.staleServed++
            if (this.observed) this.emit('stale', key, 'error')
            return { status: 'stale', served: stale }
          }
          throw err
        }
        this.fail(err, key)
        return { status: 'bypass', stale }
      }
      if (a.kind === 'pass') return { status: 'bypass', stale }
      if (a.kind === 'entry') {
        try {
          const read = await this.checkRaw(a.raw, o.tags, undefined)
          if (read !== CORRUPT) {
            const j = this.judge(key, read, o, epoch)
            if (j !== null && j.status !== 'old') return j as Lookup
            if (j !== null) stale = j.served
          }
        } catch (err) {
          this.fail(err, key)
          return { status: 'bypass', stale }
        }
        ignoreEntry = true
        continue
      }
      let versions: string[] = []
      let gen = a.gen
      if (o.tags.length > 0) {
        try {
          versions = await initVersions(this.redis, this.keys, o.tags, this.options.commandTimeout)
        } catch (err) {
          this.fail(err, key)
          gen = '' // without the tag versions the entry cannot be validated: do not store it
        }
      }
      return { status: 'lease', lease: { key, token: a.token, gen, versions, opts: o, epoch, stale } }
    }
  }

  /** Takes the fill lease for a background refresh, without waiting; null when another caller holds it. */
  async refreshLease (key: string, o: Effective = this.defaults): Promise<Lease | null> {
    try {
      const l = await tryLease(this.ctx, key)
      if (l === null) return null
      const versions = o.tags.length > 0 ? await initVersions(this.redis, this.keys, o.tags, this.options.commandTimeout) : []
      return { key, token: l.token, gen: l.gen, versions, opts: o, epoch: this.l1 === null ? 0 : this.l1.epoch, stale: undefined }
    } catch (err) {
      this.fail(err, key)
      return null
    }
  }

  /**
   * Stores the result of a lease's fetch (unless the key was invalidated meanwhile), releases the
   * lease and wakes the waiters. Returns true when stored. `undefined` is never stored.
   */
  async fulfil (lease: Lease, value: unknown, { duration = 0, passOnRefusal = false, l1Value = value } = {}): Promise<boolean> {
    const o = lease.opts
    if (value === undefined || lease.gen === '') { await this.abandon(lease, passOnRefusal); return false }
    let ttl = o.ttl
    let window = Math.max(o.staleWhileRevalidate, o.staleIfError)
    if (value === null && this.options.negativeTtl !== undefined) { ttl = this.options.negativeTtl; window = 0 }
    if (o.jitter > 0) ttl -= Math.floor(ttl * o.jitter * Math.random())
    let payload: string
    try {
      payload = this.options.codec.encode(value)
    } catch (err) {
      this.fail(err, lease.key)
      await this.abandon(lease, passOnRefusal)
      return false
    }
    let r: [number, number]
    try {
      r = await withTimeout(scripts.run<[number, number]>(this.redis, 'store', this.keys.triple(lease.key), [
        lease.gen, lease.token, payload, ttl, window, Math.round(duration), tagsBlob(o.tags, lease.versions),
        this.keys.fillChannel, lease.key, GEN_SLACK, passOnRefusal ? '1' : '0'
      ]), this.options.commandTimeout)
    } catch (err) {
      this.fail(err, lease.key)
      return false
    }
    if (r[0] !== 1) {
      this.counters.staleSetsRefused++
      return false
    }
    this.fillL1(lease.key, l1Value, r[1], r[1] + ttl, o, payload.length, lease.epoch)
    return true
  }

  /** Releases a lease without storing; waiters re-check (or, with `pass`, stop waiting). */
  async abandon (lease: Lease, pass = false): Promise<void> {
    try {
      await release(this.ctx, lease.key, lease.token, pass)
    } catch (err) {
      this.fail(err, lease.key)
    }
  }

  private refreshInBackground<T> (key: string, fetcher: Fetcher<T>, o: Effective): void {
    if (this.closed || this.refreshing.has(key)) return
    this.refreshing.add(key)
    this.counters.refreshes++
    if (this.observed) this.emit('refresh', key)
    const run = async (): Promise<void> => {
      const lease = await this.refreshLease(key, o)
      if (lease !== null) await this.fillLease(lease, fetcher)
    }
    run().catch(err => this.fail(err, key)).finally(() => this.refreshing.delete(key))
  }

  // --- reads ---------------------------------------------------------------------------------

  /** Reads the entry (and the versions of `tags`, in the same tick); null when absent. */
  private async readL2 (key: string, tags: readonly string[]): Promise<Read | null | typeof CORRUPT> {
    const t = this.options.commandTimeout
    if (tags.length === 0) {
      const raw = await this.bounded(this.redis.get(this.keys.entry(key)))
      if (raw === null) return null
      const entry = parseEntry(raw)
      // The common case (no tags) stays synchronous after the GET: no extra awaits.
      if (entry !== null && entry.tags === null) return { entry, raw, versions: undefined }
      return await this.checkRaw(raw, tags, undefined)
    }
    const [raw, versions] = await withTimeout(Promise.all([
      this.redis.get(this.keys.entry(key)),
      readVersions(this.redis, this.keys, tags, t)
    ]), t)
    return raw === null ? null : await this.checkRaw(raw, tags, versions)
  }

  /** Parses and tag-checks a raw entry: CORRUPT when unusable (corrupt, or a tag was invalidated). */
  private async checkRaw (raw: string, tags: readonly string[], versions: Array<string | null> | undefined): Promise<Read | typeof CORRUPT> {
    const entry = parseEntry(raw)
    if (entry === null) {
      this.counters.corrupt++
      return CORRUPT
    }
    if (entry.tags !== null) {
      const ok = await tagsValid(this.redis, this.keys, entry.tags, tags, versions, this.options.commandTimeout)
      if (!ok) return CORRUPT
    }
    return { entry, raw, versions }
  }

  /**
   * Decides what a read entry is good for: a fresh hit (put in L1), a stale value to serve now
   * (stale-while-revalidate), or only a fallback ('old', stale-if-error). Null: nothing.
   */
  private judge (key: string, read: Read, o: Effective, epoch: number): { status: 'hit' | 'stale' | 'old', served: Served } | null {
    const e = read.entry
    const now = this.clock.now()
    const age = now - e.freshUntil
    let status: 'hit' | 'stale' | 'old'
    if (age < 0) status = 'hit'
    else if (age < o.staleWhileRevalidate) status = 'stale'
    else if (age < o.staleIfError) status = 'old'
    else return null
    let value: unknown
    try {
      value = this.options.codec.decode(e.payload)
    } catch {
      this.counters.corrupt++
      return null
    }
    if (o.revive !== undefined) {
      value = o.revive(value)
      if (value === undefined) { this.counters.corrupt++; return null }
    }
    let refresh = status === 'stale'
    if (status === 'hit') {
      this.counters.l2Hits++
      if (this.observed) this.emit('hit', key, 'l2')
      // XFetch (Vattani et al.): refresh early with a probability that rises as expiry nears and
      // with the cost of the fetch, so one caller refreshes before everyone misses at once.
      const beta = this.options.earlyRefresh
      if (beta > 0 && e.delta > 0 && now - e.delta * beta * Math.log(Math.random()) >= e.freshUntil) refresh = true
      this.fillL1(key, value, e.createdAt, e.freshUntil, o, read.raw.length, epoch)
    } else if (status === 'stale') {
      this.counters.staleServed++
      if (this.observed) this.emit('stale', key, 'revalidate')
    }
    return { status, served: { value, createdAt: e.createdAt, refresh } }
  }

  private fillL1 (key: string, value: unknown, createdAt: number, freshUntil: number, o: Effective, size: number, epoch: number): void {
    if (this.l1 === null || o.l1Ttl <= 0) return
    const now = Date.now()
    // Never longer than the L2 entry's fresh life (converted to local time).
    const expires = Math.min(now + o.l1Ttl, freshUntil - this.clock.offset)
    this.l1.set(key, { value, expires, createdAt, tags: o.tags.length > 0 ? o.tags : null }, size, epoch)
  }

  /** Sync L1 read (no Redis): the entry when it is in L1 and fresh. Used by the route cache. */
  peek (key: string): { value: unknown, createdAt: number } | undefined {
    const e = this.l1?.get(key)
    if (e === undefined) return undefined
    this.counters.l1Hits++
    if (this.observed) this.emit('hit', key, 'l1')
    return e
  }

  /** The cached value of `key`, or undefined (also when Redis fails: the error is counted). */
  async get<T = unknown> (key: string, opts?: CallOptions): Promise<T | undefined> {
    checkKey(key)
    const o = opts === undefined ? this.defaults : this.effective(opts)
    const e = this.l1?.get(key)
    if (e !== undefined) {
      this.counters.l1Hits++
      return this.out(e.value) as T
    }
    const epoch = this.l1 === null ? 0 : this.l1.epoch
    try {
      const read = await this.readL2(key, o.tags)
      if (read !== null && read !== CORRUPT) {
        const j = this.judge(key, read, o, epoch)
        if (j !== null && j.status !== 'old') return this.out(j.served.value) as T
      }
    } catch (err) {
      this.fail(err, key)
      return undefined
    }
    this.counters.misses++
    return undefined
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
    await this.write(key, value, opts === undefined ? this.defaults : this.effective(opts), '')
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
    const o = opts === undefined ? this.defaults : this.effective(opts)
    const [, gen] = this.keys.triple(key)
    const seen = await withTimeout(scripts.run<string>(this.redis, 'get-or-init', [gen], [randomVersion(), this.ctx.genTtl]), this.options.commandTimeout).catch(coded)
    const value = await writer()
    if (value !== undefined) await this.write(key, value, o, seen)
    else await this.invalidate(key)
    return value
  }

  private async write (key: string, value: unknown, o: Effective, seen: string): Promise<void> {
    const payload = this.options.codec.encode(value)
    let ttl = o.ttl
    if (o.jitter > 0) ttl -= Math.floor(ttl * o.jitter * Math.random())
    const versions = o.tags.length > 0 ? await initVersions(this.redis, this.keys, o.tags, this.options.commandTimeout).catch(coded) : []
    this.l1?.delete(key)
    const epoch = this.l1 === null ? 0 : this.l1.epoch
    const r = await withTimeout(scripts.run<[number, number]>(this.redis, 'write', this.keys.triple(key), [
      seen, payload, ttl, Math.max(o.staleWhileRevalidate, o.staleIfError), tagsBlob(o.tags, versions),
      this.keys.busChannel, this.bus.message('k', key), randomVersion(), GEN_SLACK, this.keys.fillChannel, key
    ]), this.options.commandTimeout).catch(coded)
    if (r[0] === 1) this.fillL1(key, value, r[1], r[1] + ttl, o, payload.length, epoch)
  }

  /** Buffered writes kept in Redis and flushed in batches to the origin (see write-behind.ts). */
  writeBehind<T = unknown> (name: string, options: WriteBehindOptions<T>): WriteBehind<T> {
    const wb = new WriteBehind<T>(this, name, options)
    this.buffers.add(wb)
    wb.once('close', () => this.buffers.delete(wb))
    return wb
  }

  // --- invalidation --------------------------------------------------------------------------

  /** Deletes `key` everywhere (Redis and every instance's L1); a fetch in flight cannot store over it. */
  async invalidate (key: string): Promise<void> {
    checkKey(key)
    this.l1?.delete(key)
    this.local('k', key)
    await withTimeout(scripts.run(this.redis, 'invalidate', this.keys.triple(key),
      [this.keys.busChannel, this.bus.message('k', key), this.keys.fillChannel, key]), this.options.commandTimeout).catch(coded)
  }

  del (key: string): Promise<void> { return this.invalidate(key) }

  /** Invalidates every entry carrying any of `tags` (one atomic version bump + broadcast per tag). */
  async invalidateTags (tags: readonly string[]): Promise<void> {
    checkTags(tags)
    for (const t of tags) { this.l1?.deleteTag(t); this.local('t', t) }
    await bumpTags(this.redis, this.keys, tags, t => this.bus.message('t', t), this.options.commandTimeout).catch(coded)
  }

  /**
   * Invalidates every key starting with `prefix`: SCAN (never KEYS) on every master, each key
   * invalidated by the same script as `invalidate`. Peers are told before and after the scan.
   */
  async invalidatePrefix (prefix: string): Promise<number> {
    if (typeof prefix !== 'string') throw invalid('prefix', 'must be a string')
    return await this.sweep('p', prefix)
  }

  /** Invalidates every key of this cache (its prefix only; never FLUSHALL). */
  async clear (): Promise<number> {
    return await this.sweep('c', '')
  }

  private async sweep (kind: 'p' | 'c', prefix: string): Promise<number> {
    const apply = (): void => {
      if (kind === 'c') this.l1?.clear(); else this.l1?.deletePrefix(prefix)
    }
    apply()
    this.local(kind, prefix)
    const t = this.options.commandTimeout
    const message = this.bus.message(kind, prefix)
    await withTimeout(this.redis.publish(this.keys.busChannel, message), t)
    const match = `${this.keys.space.base}:{${escapeGlob(escapeTag(prefix))}*`
    const base = this.keys.space.base.length + 2
    let count = 0
    for (const node of masters(this.redis)) {
      let cursor = '0'
      do {
        const [next, found] = await withTimeout(node.scan(cursor, 'MATCH', match, 'COUNT', 500), t)
        cursor = next
        const tags = new Set<string>()
        for (const k of found) {
          const end = k.indexOf('}', base)
          if (end > 0) tags.add(unescapeTag(k.slice(base, end)))
        }
        await withTimeout(Promise.all([...tags].map(key => scripts.run<number>(this.redis, 'invalidate', this.keys.triple(key),
          ['', '', this.keys.fillChannel, key]).then(n => { count += n }))), t * 5)
      } while (cursor !== '0')
    }
    apply()
    // Again after the sweep: a peer may have refilled its L1 from an entry the sweep deleted later.
    await withTimeout(this.redis.publish(this.keys.busChannel, message), t)
    return count
  }

  private local (kind: BusKind, subject: string): void {
    if (this.observed) this.emit('invalidate', kind, subject, 'local')
  }

  // --- misc ----------------------------------------------------------------------------------

  /** Counters since construction, plus the L1 size. */
  stats (): CacheStats & { l1Entries: number, l1Bytes: number, busLive: boolean } {
    return { ...this.counters, l1Entries: this.l1?.size ?? 0, l1Bytes: this.l1?.bytes ?? 0, busLive: this.l1?.live ?? this.notifier.isLive }
  }

  /** Per-call options merged onto the defaults (validated). */
  effective (opts: CallOptions): Effective {
    checkCallOptions(opts)
    const d = this.defaults
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

  /** Current Redis time (ms), estimated locally (used for `age`). */
  redisNow (): number { return this.clock.now() }

  /** Encodes/decodes through the cache's codec (used by write-behind and the route cache). */
  get codec (): Resolved['codec'] { return this.options.codec }

  private out (v: unknown): unknown {
    return this.clone ? structuredClone(v) : v
  }

  /** Counts, logs and emits a Redis (or encoding) error; the caller falls back. */
  fail (err: unknown, key: string): void {
    this.counters.errors++
    this.options.logger?.warn({ err, key }, 'cache: Redis call failed, falling back')
    if (this.listenerCount('error') > 0) this.emit('error', err, key)
  }

  /** Flushes and closes write-behind buffers, then the subscriber (if no one else uses it). */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const wb of [...this.buffers]) await wb.close()
    this.clock.stop()
    this.bus.stop()
    await this.notifier.release()
  }
}

/** The rejection of a write path on a Redis failure: the shared coded translation. */
function coded (err: unknown): never {
  throw asUnavailable(err)
}

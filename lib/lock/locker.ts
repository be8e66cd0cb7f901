// Distributed locks on Redis: SET NX PX with a 128-bit owner token, a fencing token issued in the
// same script, a validity check on the local monotonic clock, and waiters woken by the release
// itself (pub/sub through the shared Notifier) instead of polling.
import type { RedisClient } from '../shared/client.js'
import { TypedEmitter } from '../shared/events.js'
import { keySpace, type KeySpace } from '../shared/keys.js'
import { invalid, optDuration, optInt, type Duration } from '../shared/options.js'
import { FRP_LOCK_LOST, FRP_LOCK_NOT_ACQUIRED, FRP_LOCK_NOT_OWNER, FRP_REDIS_UNAVAILABLE } from '../shared/errors.js'
import { Lease, type LeaseContext, type LeaseEvent } from './lease.js'
import { QuorumStore, SingleStore, type Handoff, type Store } from './store.js'
import { remainingTtl } from './scripts.js'
import { newToken } from './token.js'
import { LocalQueue } from './local-queue.js'
import { forceRelease, listHeld, type HeldLocks } from './held.js'
import { Parking, fenceFloor, type Parked } from './burst.js'
import {
  MAX_TTL, normalizeAcquireOptions, normalizeLockerOptions,
  type AcquireOptions, type NormalizedAcquireOptions, type LockerOptions, type NormalizedLockerOptions, type UsingOptions
} from './options.js'

const noop = (): void => {}

/**
 * How often a waiter in line refreshes its place while the lock stays held (sooner at the
 * holder's expiry). Its entry counts as alive for two refreshes and a command timeout: the window
 * in which a waiter that crashed can still be handed the lock (docs/lock.md, Waiting in line).
 * Long enough that waiting is not polling; short enough that a dead waiter is soon skipped.
 */
const LINE_REFRESH_MS = 5000

/**
 * A Locker's events (emitted only while someone listens). Their leases are `Lease<boolean>`: an
 * acquire may override the Locker's `fencing`, so a lease of either kind can appear.
 */
export interface LockerEvents {
  /** A lease was taken, after `waitedMs` ms (time spent in acquire, the Redis round trips included). */
  acquired: [lease: Lease<boolean>, waitedMs: number]
  /** An acquire gave up: the lock stayed held for `waitTimeout` ms (FRP_LOCK_NOT_ACQUIRED). */
  acquireTimeout: [key: string, waitTimeout: number]
  /** A lease was extended to `ttl` ms from now (by extend() or keep-alive). */
  extended: [lease: Lease<boolean>, ttl: number]
  /** A lease was released while it still owned its lock. */
  released: [lease: Lease<boolean>]
  /** A lease was lost: an extension was refused, or its deadline passed before a release. */
  lost: [lease: Lease<boolean>]
  /** An acquire failed on Redis (FRP_REDIS_UNAVAILABLE, FRP_REDIS_TIMEOUT, …): not a timeout, not an abort. */
  acquireError: [key: string, err: Error]
  /**
   * A release the Locker made itself, at the end of a `burst` (after the lease's own release()
   * had resolved), failed: FRP_LOCK_NOT_OWNER (the lock was lost or force-released meanwhile) or
   * FRP_REDIS_* (the lock then expires at its TTL). `key` is the Redis key of the lock.
   */
  releaseError: [key: string, err: Error]
}

/**
 * `Fenced`: whether leases carry a fencing token by default (the `fencing` option, default true);
 * an acquire's own `fencing` option overrides it, and its lease's type follows.
 */
export class Locker<Fenced extends boolean = true> extends TypedEmitter<LockerEvents> {
  /** The Locker's options, normalized. */
  readonly options: Readonly<NormalizedLockerOptions>
  readonly #store: Store
  /** The store when it is one Redis (or Cluster): waiters then wait in its line (direct handoff). */
  readonly #single: SingleStore | null
  readonly #clients: RedisClient[]
  readonly #channel: string
  readonly #space: KeySpace
  readonly #local = new LocalQueue()
  /** Locks kept for a re-acquire in the same event-loop turn (`burst` > 1), else null. */
  readonly #parking: Parking | null
  /** What a Lease needs of its Locker (kept off the public surface). */
  readonly #leases: LeaseContext
  #closed = false

  /**
   * `redis`: one client (standalone, Sentinel or Cluster), or an array of clients of independent
   * masters for the Redlock quorum mode.
   */
  constructor (redis: RedisClient | RedisClient[], options: LockerOptions & { fencing?: Fenced } = {}) {
    super()
    const clients = Array.isArray(redis) ? redis : [redis]
    if (clients.length === 0) throw invalid('lock.redis', 'needs at least one client')
    this.options = normalizeLockerOptions(options, clients.length)
    this.#space = keySpace(this.options.prefix, 'lock')
    // release-4.lua derives the same name from a lock key (the part before ':{'): keep them in step.
    const channel = this.#channel = `${this.#space.base}:released`
    this.#clients = clients
    this.#single = clients.length === 1 ? new SingleStore(clients[0], channel, this.options.commandTimeout) : null
    this.#store = this.#single ?? new QuorumStore(clients, channel, this.options.commandTimeout, this.options.quorum)
    const parking = this.#parking = this.options.burst > 1
      ? new Parking(this.options.burst, this.options.minValidity, (rkey, p) => this.#releaseParked(rkey, p))
      : null
    this.#leases = {
      store: this.#store,
      drift: ttl => this.drift(ttl),
      event: (event, lease, ttl) => { this.#leaseEvent(event, lease, ttl) },
      park: parking === null
        ? () => false
        : (lease, rkey, deadline, turn) => !this.#closed && parking.park(rkey, { token: lease.token, fence: lease.fencingToken, ttl: lease.ttl, deadline, turn })
    }
  }

  /** @deprecated since 0.2: use `options`. */
  get settings (): Readonly<NormalizedLockerOptions> {
    return this.options
  }

  /** The Redis key holding lock `key` (its fencing counter is this key + ':fence'). */
  redisKey (key: string): string {
    return this.#space.key(key)
  }

  /** The safety margin (ms) taken off a TTL for clock drift between this process and Redis. */
  drift (ttl: number): number {
    return Math.round(ttl * this.options.driftFactor) + 2
  }

  /**
   * Takes lock `key`, waiting up to `waitTimeout` ms while another owner holds it. Rejects with
   * FRP_LOCK_NOT_ACQUIRED when the wait ends, FRP_REDIS_* when Redis fails, or the signal's reason.
   */
  acquire<F extends boolean = Fenced> (key: string, options?: AcquireOptions & { fencing?: F }): Promise<Lease<F>> {
    let o: NormalizedAcquireOptions
    try {
      o = options === undefined ? this.options : normalizeAcquireOptions(options, this.options)
    } catch (err) {
      return Promise.reject(err)
    }
    const p = this.#acquireWith(key, o) as Promise<Lease<F>>
    // Only while someone listens: no extra promise on the hot path.
    return this.listenerCount('acquireError') === 0 ? p : p.catch(err => { throw this.#acquireFailed(key, err, o.signal) })
  }

  /** 'acquireError' for a Redis failure of an acquire (a wait that ended or an abort is not one). */
  #acquireFailed (key: string, err: unknown, signal: AbortSignal | undefined): unknown {
    const code = (err as { code?: unknown })?.code
    const aborted = signal?.aborted === true && err === signal.reason
    if (!aborted && code !== 'FRP_LOCK_NOT_ACQUIRED' && typeof code === 'string' && code.startsWith('FRP_REDIS')) this.emit('acquireError', key, err as Error)
    return err
  }

  #acquireWith (key: string, o: NormalizedAcquireOptions): Promise<Lease<boolean>> {
    let rkey: string
    try {
      rkey = this.#space.key(key)
    } catch (err) {
      return Promise.reject(err)
    }
    if (!this.#local.enterNow(rkey)) return this.#acquireQueued(key, rkey, o, performance.now())
    // Fast path (nobody in this process wants this lock): one script call, no extra await layers.
    const started = performance.now()
    return this.#attempt(key, rkey, o.ttl, o.fencing).then(reply => {
      if (typeof reply !== 'number') return this.#took(rkey, reply, started)
      return this.#acquireSlow(key, rkey, o, started)
    }, err => {
      this.#local.leave(rkey)
      throw err
    })
  }

  /** Takes lock `key` if it is free; resolves null if another owner holds it. */
  async tryAcquire<F extends boolean = Fenced> (key: string, options?: Omit<AcquireOptions, 'waitTimeout' | 'retry' | 'signal'> & { fencing?: F }): Promise<Lease<F> | null> {
    const { ttl, fencing } = options === undefined ? this.options : normalizeAcquireOptions(options, this.options)
    const rkey = this.#space.key(key)
    // Somebody in this process holds (or is acquiring) it: no need to ask Redis.
    if (!this.#local.enterNow(rkey)) return null
    const started = performance.now()
    try {
      const reply = await this.#attempt(key, rkey, ttl, fencing)
      if (typeof reply !== 'number') return this.#took(rkey, reply, started) as Lease<F>
    } catch (err) {
      this.#local.leave(rkey)
      throw err
    }
    this.#local.leave(rkey)
    return null
  }

  /**
   * Runs `fn` while holding lock `key`, extending the lease as long as `fn` runs, and releases it
   * afterwards. `signal` aborts as soon as the lock is lost; `using` then rejects with
   * FRP_LOCK_LOST (its `cause` is `fn`'s error, if any), since `fn`'s work may have overlapped
   * another holder's.
   */
  async using<T, F extends boolean = Fenced> (key: string, fn: (signal: AbortSignal, lease: Lease<F>) => T | Promise<T>, options?: UsingOptions & { fencing?: F }): Promise<T> {
    if (typeof fn !== 'function') throw invalid('lock.using', 'fn must be a function')
    const lease = await this.#acquireWith(key, options === undefined ? this.options : normalizeAcquireOptions(options, this.options, true)) as Lease<F>
    const stop = options?.autoExtend === false ? noop : lease.keepAlive()
    let result: T
    try {
      result = await fn(lease.signal, lease)
    } catch (err) {
      stop()
      if (lease.lost) { lease.release().catch(noop); throw lostError(key, err) }
      await lease.release().catch(noop)
      throw err
    }
    stop()
    if (lease.lost) { lease.release().catch(noop); throw lostError(key) }
    try {
      await lease.release()
    } catch (err) {
      // Refused: another owner has the lock, so ours ended while fn ran.
      if ((err as { code?: string }).code === 'FRP_LOCK_NOT_OWNER') throw lostError(key, undefined)
      // Redis failed: fn's work is done and the lock expires at its TTL.
    }
    return result
  }

  /** Extends the lock `key` held under `token` (from another process, say) by `ttl` (ms or a duration string). */
  async extend (key: string, token: string, ttlInput: Duration = this.options.ttl): Promise<void> {
    const ttl = optDuration('lock.extend.ttl', ttlInput, this.options.ttl, 10, MAX_TTL)
    if (!isToken(token)) throw new FRP_LOCK_NOT_OWNER(key)
    if (!await this.#store.extend(this.#space.key(key), token, ttl)) throw new FRP_LOCK_NOT_OWNER(key)
  }

  /** Releases the lock `key` held under `token`; FRP_LOCK_NOT_OWNER if `token` does not own it. */
  async release (key: string, token: string): Promise<void> {
    if (!isToken(token)) throw new FRP_LOCK_NOT_OWNER(key)
    if (!await this.#store.release(this.#space.key(key), token)) throw new FRP_LOCK_NOT_OWNER(key)
  }

  /**
   * The locks held now (SCAN, never KEYS; stops after `limit`, default 200), with their remaining
   * TTL and fencing counter: for operators (the dashboard), not for deciding who owns a lock.
   */
  async held ({ limit = 200 }: { limit?: number } = {}): Promise<HeldLocks> {
    return await listHeld(this.#clients, this.#space.base, this.options.commandTimeout, optInt('lock.held.limit', limit, 200, 1, 10_000))
  }

  /**
   * Deletes lock `key` whoever holds it, and wakes its waiters: for an operator unsticking a
   * crashed holder's lock before its TTL. The holder is not told; its fencing token still
   * guards the resource against its late writes. True when the lock was held.
   */
  async forceRelease (key: string): Promise<boolean> {
    return await forceRelease(this.#clients, this.#space.key(key), this.#channel, this.options.commandTimeout)
  }

  /**
   * Releases the locks kept for a re-acquire (`burst`), then stops the release subscriber (shared
   * with other users of the same client).
   */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#parking?.flushAll()
    await this.#store.close()
  }

  /** Releases a lock kept at the end of a burst's turn; a failure is reported as 'releaseError'. */
  #releaseParked (rkey: string, p: Parked): Promise<void> {
    return this.#store.release(rkey, p.token, fenceFloor(p.turn, p.fence), p.ttl).then(ok => {
      if (!ok) this.#releaseFailed(rkey, new FRP_LOCK_NOT_OWNER(rkey))
    }, err => { this.#releaseFailed(rkey, err as Error) })
  }

  #releaseFailed (rkey: string, err: Error): void {
    if (this.listenerCount('releaseError') > 0) this.emit('releaseError', rkey, err)
  }

  /** Another caller of this Locker holds or is acquiring this lock: queue behind it locally. */
  async #acquireQueued (key: string, rkey: string, o: NormalizedAcquireOptions, started: number): Promise<Lease<boolean>> {
    if (!await this.#local.wait(rkey, o.waitTimeout, o.signal)) {
      if (o.signal?.aborted === true) throw o.signal.reason
      throw this.#notAcquired(key, o.waitTimeout)
    }
    let reply: Lease<boolean> | number
    try {
      reply = await this.#attempt(key, rkey, o.ttl, o.fencing)
    } catch (err) {
      this.#local.leave(rkey)
      throw err
    }
    if (typeof reply !== 'number') return this.#took(rkey, reply, started)
    return await this.#acquireSlow(key, rkey, o, started)
  }

  /** The first attempt failed: wait for the release (we are at the head of the local line). */
  async #acquireSlow (key: string, rkey: string, o: NormalizedAcquireOptions, started: number): Promise<Lease<boolean>> {
    try {
      if (o.waitTimeout === 0) throw this.#notAcquired(key, 0)
      const deadline = started + o.waitTimeout
      const lease = this.#single !== null ? await this.#waitInLine(this.#single, key, rkey, o, deadline) : await this.#wait(key, rkey, o, deadline)
      return this.#took(rkey, lease, started)
    } catch (err) {
      this.#local.leave(rkey)
      throw err
    }
  }

  /** Records `lease` as the holder of the local line of `rkey`; 'acquired' if listened to. */
  #took (rkey: string, lease: Lease<boolean>, started: number): Lease<boolean> {
    this.#local.hold(rkey, lease)
    if (this.listenerCount('acquired') > 0) this.emit('acquired', lease, performance.now() - started)
    return lease
  }

  /** The error of an acquire that waited `waitTimeout` ms in vain; 'acquireTimeout' if listened to. */
  #notAcquired (key: string, waitTimeout: number): Error {
    if (this.listenerCount('acquireTimeout') > 0) this.emit('acquireTimeout', key, waitTimeout)
    return new FRP_LOCK_NOT_ACQUIRED(key, waitTimeout)
  }

  #leaseEvent (event: LeaseEvent, lease: Lease<boolean>, ttl: number): void {
    if (this.listenerCount(event) === 0) return
    if (event === 'extended') this.emit(event, lease, ttl)
    else this.emit(event, lease)
  }

  /** One acquisition attempt: a Lease, or the holder's remaining TTL in ms (0 = unknown). */
  #attempt (key: string, rkey: string, ttl: number, fencing: boolean): Promise<Lease<boolean> | number> {
    if (this.#closed) return Promise.reject(new FRP_REDIS_UNAVAILABLE('locker closed'))
    if (this.#parking !== null) {
      const parked = this.#parking.take(rkey, ttl, fencing)
      if (parked !== null) {
        if ('wait' in parked) return parked.wait.then(() => this.#attempt(key, rkey, ttl, fencing))
        // The next lease of the burst: the lock stays ours in Redis; the token is the last one + 1.
        const fence = parked.fence === undefined ? undefined : parked.fence + 1
        return Promise.resolve(new Lease<boolean>(this.#leases, key, rkey, parked.token, fence, ttl, parked.deadline, this.#local, parked.turn + 1))
      }
    }
    const token = newToken()
    const started = performance.now()
    return this.#store.acquire(rkey, fencing ? rkey + ':fence' : null, token, ttl).then(reply => {
      if (reply < 0) return remainingTtl(reply)
      const deadline = started + ttl - this.drift(ttl)
      // Validity: a slow acquisition (paused process, slow Redis, a quorum that took long) leaves
      // too little of the TTL to be useful or safe. Give the lock back and count it as not taken.
      if (deadline - performance.now() < ttl * this.options.minValidity) {
        return this.#store.release(rkey, token).then(() => 1, () => 1)
      }
      // 0: taken without fencing (see Store.acquire).
      return new Lease<boolean>(this.#leases, key, rkey, token, reply === 0 ? undefined : reply, ttl, deadline, this.#local)
    })
  }

  /**
   * Waits in the lock's line in Redis (one Redis or Cluster): a release hands the lock straight to
   * the first waiter alive in line (release-4.lua) and tells it on the release channel, so the
   * waiter owns the lock when the message arrives, without an acquire round trip. The waiter keeps
   * one token for its whole wait (its place in line) and refreshes its place every
   * LINE_REFRESH_MS; an entry not refreshed for two of those (and a command timeout) is skipped
   * by releases, so a crashed waiter is not handed the lock. Giving up leaves the line (and passes
   * on a lock handed over meanwhile).
   */
  async #waitInLine (store: SingleStore, key: string, rkey: string, o: NormalizedAcquireOptions, deadline: number): Promise<Lease<boolean>> {
    const signal = o.signal
    const ttl = o.ttl
    const token = newToken()
    const aliveMs = 2 * LINE_REFRESH_MS + this.options.commandTimeout
    let handed: Handoff | null = null
    let onHanded: (() => void) | null = null
    const off = store.onHandoff(token, h => { handed = h; onHanded?.() })
    // The last attempt in line: when we sent it (our clock) and when Redis ran it (its TIME, µs).
    // The handoff happened after it, so its Redis time maps onto our clock no later than it was.
    let sentAt = 0
    let ranAtUs = 0
    try {
      for (;;) {
        const h = handed as Handoff | null
        if (h !== null) {
          handed = null
          const elapsed = Math.max(0, (h.atUs - ranAtUs) / 1000) * (1 - this.options.driftFactor)
          const lease = await this.#ownLease(store, key, rkey, token, h.fence, ttl, sentAt + elapsed + ttl - this.drift(ttl))
          if (lease !== null) return lease
        }
        let remaining = deadline - performance.now()
        if (remaining <= 0) throw this.#notAcquired(key, o.waitTimeout)
        if (signal?.aborted === true) throw signal.reason
        // Register before the attempt: a plain release (nobody alive in line) publishes the key.
        const wake = store.wake(rkey)
        try {
          const wait = Math.min(remaining, this.options.commandTimeout)
          const [releases, handoffs] = await Promise.all([wake.ready(wait), store.handoffReady(wait)])
          const live = releases && handoffs
          if (handed !== null) continue
          const started = performance.now()
          const [ours, a, b] = await store.waitInLine(rkey, o.fencing, token, ttl, aliveMs)
          if (ours === 1) {
            // Taken, or handed to us already (message on its way or lost): `b` ms of it are left.
            const lease = await this.#ownLease(store, key, rkey, token, a, ttl, started + b - this.drift(ttl))
            if (lease !== null) return lease
            continue
          }
          sentAt = started
          ranAtUs = b
          if (handed !== null) continue
          // Wake at the holder's expiry if no handoff comes, and refresh our place meanwhile; without
          // a live subscriber, or when the holder's TTL is unknown, re-check at least every maxDelay.
          let delay = Math.min(a > 0 ? a : o.maxDelay, LINE_REFRESH_MS)
          if (!live && delay > o.maxDelay) delay = o.maxDelay
          delay += Math.random() * o.jitter
          remaining = deadline - performance.now()
          const ac = new AbortController()
          const stop = (): void => ac.abort()
          onHanded = stop
          signal?.addEventListener('abort', stop, { once: true })
          try {
            await wake.wait(Math.min(delay, Math.max(0, remaining)), ac.signal)
          } finally {
            onHanded = null
            signal?.removeEventListener('abort', stop)
          }
          // (A read through the function: the compiler took `aborted` for false since the check above.)
          if (aborted(signal)) throw signal?.reason
        } finally {
          wake.cancel()
        }
      }
    } catch (err) {
      // Gave up (timeout, abort, Redis error): leave the line, passing on a lock handed to us.
      store.leave(rkey, token).catch(noop)
      throw err
    } finally {
      off()
    }
  }

  /**
   * The lease of a lock we own through the line, valid until `deadline`; null (the lock passed on
   * to the next in line) when too little of it is left, as for any slow acquisition.
   */
  async #ownLease (store: SingleStore, key: string, rkey: string, token: string, fence: number, ttl: number, deadline: number): Promise<Lease<boolean> | null> {
    if (deadline - performance.now() < ttl * this.options.minValidity) {
      await store.leave(rkey, token).catch(noop)
      return null
    }
    return new Lease<boolean>(this.#leases, key, rkey, token, fence === 0 ? undefined : fence, ttl, deadline, this.#local)
  }

  async #wait (key: string, rkey: string, o: NormalizedAcquireOptions, deadline: number): Promise<Lease<boolean>> {
    const signal = o.signal
    for (;;) {
      let remaining = deadline - performance.now()
      if (remaining <= 0) throw this.#notAcquired(key, o.waitTimeout)
      if (signal?.aborted === true) throw signal.reason
      // Register before the re-check: a release between the re-check and the wait still wakes us.
      const wake = this.#store.wake(rkey)
      try {
        const live = await wake.ready(Math.min(remaining, this.options.commandTimeout))
        const reply = await this.#attempt(key, rkey, o.ttl, o.fencing)
        if (typeof reply !== 'number') return reply
        // Wake at the holder's expiry if no release comes; without a live subscriber, or when the
        // holder's TTL is unknown, re-check at least every maxDelay.
        let delay = reply > 0 ? reply : o.maxDelay
        if (!live && delay > o.maxDelay) delay = o.maxDelay
        delay += Math.random() * o.jitter
        remaining = deadline - performance.now()
        const reason = await wake.wait(Math.min(delay, Math.max(0, remaining)), signal)
        if (reason === 'aborted') throw signal?.reason
      } finally {
        wake.cancel()
      }
    }
  }
}

/**
 * Could `token` be an owner token? A lock's value is its owner's token plus, once a waiter asked,
 * a trailing '+' (see acquire-2.lua); our tokens are base64url, so a token never ends with '+'
 * and the marked value can never pass for one.
 */
function isToken (token: unknown): token is string {
  return typeof token === 'string' && token.length > 0 && !token.endsWith('+')
}

function aborted (signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

function lostError (key: string, cause?: unknown): Error {
  const err = new FRP_LOCK_LOST(key)
  if (cause !== undefined) err.cause = cause
  return err
}

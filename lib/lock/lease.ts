// A held lock. Its validity is tracked on the local monotonic clock (performance.now()), never on
// wall-clock time: the lease counts as lost as soon as its conservative deadline passes, even if
// this process was paused (GC, SIGSTOP) while Redis expired the key.
import { FRP_LOCK_LOST, FRP_LOCK_NOT_OWNER } from '../shared/errors.js'
import { optDuration, type Duration } from '../shared/options.js'
import { MAX_TTL } from './options.js'
import type { Store } from './store.js'
import type { LocalQueue } from './local-queue.js'
import { fenceFloor } from './burst.js'

/** What a lease reports to its Locker (which emits it to its listeners). */
export type LeaseEvent = 'extended' | 'released' | 'lost'

/** What a lease needs from its Locker. */
export interface LeaseContext {
  readonly store: Store
  /** The safety margin (ms) taken off a TTL for clock drift between this process and Redis. */
  drift (ttl: number): number
  /** Reports a lease event (`ttl`: the new TTL of an extension). */
  event (event: LeaseEvent, lease: Lease<boolean>, ttl: number): void
  /**
   * Offered a lease being released that still holds its lock (the Locker's `burst`): true when the
   * Locker keeps the lock for an acquire of the same key in this event-loop turn, and will release
   * it itself otherwise. `deadline`: the lease's, on the local monotonic clock.
   */
  park (lease: Lease<boolean>, redisKey: string, deadline: number, turn: number): boolean
}

type State = 'held' | 'lost' | 'released'

/** A lease's fencing token: a number when fenced, undefined when acquired with `fencing: false`. */
export type FencingToken<Fenced extends boolean> = Fenced extends true ? number : undefined

/** `Fenced`: whether the lease was acquired with a fencing token (`fencing`, default true). */
export class Lease<Fenced extends boolean = true> {
  /** The resource name given to `acquire` (not the Redis key). */
  readonly key: string
  /** This lease's random owner token (128 bits). */
  readonly token: string
  /**
   * Monotonically increasing per resource: a later holder always has a higher number. Pass it
   * to the protected resource and have it reject writes that carry a lower one than it has seen.
   * Undefined when the lease was acquired with `fencing: false`.
   */
  readonly fencingToken: FencingToken<Fenced>
  /** The TTL (ms) used by `extend()` without an argument and by auto-extension. */
  readonly ttl: number

  readonly #ctx: LeaseContext
  readonly #redisKey: string
  #deadline: number
  #state: State = 'held'
  #controller: AbortController | null = null
  #timer: NodeJS.Timeout | null = null
  /** The Locker's local line for this lock, left once when the lease ends. */
  #line: LocalQueue | null
  /**
   * Which lease of a burst this is (the Locker's `burst`): 1 when taken from Redis, n for the
   * (n - 1)th reuse of that lock without Redis, whose fencing token this process issued itself.
   */
  readonly #turn: number

  constructor (ctx: LeaseContext, key: string, redisKey: string, token: string, fencingToken: FencingToken<Fenced>, ttl: number, deadline: number, line: LocalQueue | null = null, turn = 1) {
    this.#ctx = ctx
    this.#line = line
    this.#turn = turn
    this.key = key
    this.#redisKey = redisKey
    this.token = token
    this.fencingToken = fencingToken
    this.ttl = ttl
    this.#deadline = deadline
  }

  /** Wall-clock time (epoch ms) at which the lease counts as lost; moves with `extend`. */
  get expiresAt (): number {
    return Date.now() + (this.#deadline - performance.now())
  }

  /**
   * Aborts (reason: FRP_LOCK_LOST) as soon as the lock is lost: an extension was refused, or the
   * lease's deadline passed on the local monotonic clock. Created on first access, so leases
   * that never read it cost no timer.
   */
  get signal (): AbortSignal {
    return this.watchDeadline().signal
  }

  /** True while the lease is neither released nor lost nor past its deadline. */
  get held (): boolean {
    if (this.#state !== 'held') return false
    if (performance.now() < this.#deadline) return true
    this.#lose()
    return false
  }

  /** True once the lock was lost (extension refused or deadline passed), false if released. */
  get lost (): boolean {
    return this.#state === 'lost' || (this.#state === 'held' && !this.held)
  }

  /** Milliseconds of validity left (0 once lost or released). */
  remaining (): number {
    return this.#state === 'held' ? Math.max(0, this.#deadline - performance.now()) : 0
  }

  /**
   * Resets the lock's TTL to `ttl` (ms or a duration string) from now, if this lease still owns it. Rejects with
   * FRP_LOCK_LOST (and aborts `signal`) when the lease is lost or the lock has another owner; with
   * FRP_REDIS_* when Redis fails (the lease is unchanged: retry while `held`).
   */
  async extend (ttlInput: Duration = this.ttl): Promise<void> {
    const ttl = optDuration('lease.extend.ttl', ttlInput, this.ttl, 10, MAX_TTL)
    if (!this.held) {
      if (this.#state === 'released') throw new FRP_LOCK_NOT_OWNER(this.key)
      throw new FRP_LOCK_LOST(this.key)
    }
    const started = performance.now()
    const ok = await this.#ctx.store.extend(this.#redisKey, this.token, ttl)
    if (!ok) {
      this.#lose()
      throw new FRP_LOCK_LOST(this.key)
    }
    if (this.#state !== 'held') throw new FRP_LOCK_LOST(this.key)
    // Counted from before the request was sent: the key's new TTL started later than that.
    this.#deadline = started + ttl - this.#ctx.drift(ttl)
    if (this.#controller !== null) this.#arm()
    this.#ctx.event('extended', this, ttl)
  }

  /**
   * Deletes the lock if this lease still owns it (and wakes waiters). Idempotent. Rejects with
   * FRP_LOCK_NOT_OWNER when the lock expired or has another owner, and with FRP_REDIS_* when
   * Redis fails (then the lease stays as it was, and the lock expires at its TTL).
   */
  release (): Promise<void> {
    if (this.#state === 'released') return Promise.resolve()
    const before = this.#state
    if (before === 'held' && this.#ctx.park(this, this.#redisKey, this.#deadline, this.#turn)) {
      // Kept by the Locker for a re-acquire in this event-loop turn: released for this lease.
      this.#state = 'released'
      this.#disarm()
      this.#ended()
      this.#ctx.event('released', this, this.ttl)
      return Promise.resolve()
    }
    this.#state = 'released'
    this.#disarm()
    // A reused lease's token was issued here, not by Redis: the release raises the counter to it.
    return this.#ctx.store.release(this.#redisKey, this.token, fenceFloor(this.#turn, this.fencingToken), this.ttl).then(ok => {
      this.#ended()
      if (!ok) throw new FRP_LOCK_NOT_OWNER(this.key)
      this.#ctx.event('released', this, this.ttl)
    }, err => {
      this.#state = before
      if (before === 'held' && this.#controller !== null) this.#arm()
      throw err
    })
  }

  /**
   * Extends the lease automatically (at half of its remaining validity) until the returned
   * function is called, the lease is released, or the lock is lost. Redis errors are retried
   * while the lease is still valid; a refused extension aborts `signal`. When the client
   * reconnects (after a failover, perhaps to a promoted replica that never received the lock), the
   * lease is extended at once, so a lock lost with the old master is reported right away rather
   * than at the next scheduled extension.
   */
  keepAlive (): () => void {
    let stopped = false
    let timer: NodeJS.Timeout | null = null
    let unwatch: (() => void) | null = null
    const stop = (): void => {
      stopped = true
      if (timer !== null) clearTimeout(timer)
      timer = null
      if (unwatch !== null) { unwatch(); unwatch = null }
    }
    const schedule = (delay: number): void => {
      if (stopped || this.#state !== 'held') { stop(); return }
      timer = setTimeout(tick, Math.max(1, delay))
      timer.unref()
    }
    const tick = (): void => {
      timer = null
      if (stopped || !this.held) { stop(); return }
      this.extend().then(
        () => schedule(this.remaining() / 2),
        (err: { code?: string }) => {
          if (err?.code === 'FRP_LOCK_LOST' || err?.code === 'FRP_LOCK_NOT_OWNER') { stop(); return }
          // Redis slow or down: try again soon, while the lease is still valid.
          schedule(Math.min(this.remaining() / 3, 200))
        }
      )
    }
    this.watchDeadline() // so a lease that cannot be extended still aborts on time
    // Only between extensions: one in flight already tells.
    unwatch = this.#ctx.store.onReconnect(() => {
      if (timer === null) return
      clearTimeout(timer)
      tick()
    })
    schedule(this.remaining() / 2)
    return stop
  }

  /** @internal Arms the deadline timer (the signal's source); idempotent. */
  watchDeadline (): AbortController {
    if (this.#controller === null) {
      this.#controller = new AbortController()
      if (this.#state === 'lost' || (this.#state === 'held' && performance.now() >= this.#deadline)) this.#lose()
      else if (this.#state === 'held') this.#arm()
    }
    return this.#controller
  }

  #arm (): void {
    this.#disarm()
    this.#timer = setTimeout(() => { this.#timer = null; if (this.#state === 'held') this.#lose() }, Math.max(0, this.#deadline - performance.now()))
    this.#timer.unref()
  }

  #disarm (): void {
    if (this.#timer !== null) { clearTimeout(this.#timer); this.#timer = null }
  }

  #lose (): void {
    const was = this.#state
    if (was === 'held') this.#state = 'lost'
    this.#disarm()
    this.#ended()
    if (this.#controller !== null && !this.#controller.signal.aborted) this.#controller.abort(new FRP_LOCK_LOST(this.key))
    if (was === 'held') this.#ctx.event('lost', this, this.ttl)
  }

  #ended (): void {
    const line = this.#line
    if (line === null) return
    this.#line = null
    line.leave(this.#redisKey)
  }
}

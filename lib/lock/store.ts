// Where locks live: one Redis (or Cluster) client, or several independent masters (Redlock
// quorum). Both answer the same small interface, so the Locker's logic (validity, waiting,
// leases) is written once.
import { randomBytes } from 'node:crypto'
import { Notifier, type WakeReason } from '../shared/notifier.js'
import { FRP_REDIS_UNAVAILABLE } from '../shared/errors.js'
import { callPolicy, type Bound } from '../shared/call-policy.js'
import type { RedisClient } from '../shared/client.js'
import type { RawScript } from '../shared/scripts.js'
import { scripts } from './scripts.js'
import { Contended } from './contended.js'

/** A waiter registered before a re-check; woken by a release notification, a timeout or a reset. */
export interface Wake {
  /** Resolves true once notifications can be received (false if the subscriber is not ready). */
  ready (timeoutMs: number): Promise<boolean>
  wait (timeoutMs: number, signal?: AbortSignal): Promise<WakeReason>
  cancel (): void
}

export interface Store {
  /**
   * One acquisition attempt. Resolves to the fencing token (>= 1; time-based, see _fence.lua), or
   * 0 when `fence` is null (an unfenced acquisition), or `-(pttl) - 1` (<= -1) when the lock is held.
   */
  acquire (key: string, fence: string | null, token: string, ttl: number): Promise<number>
  extend (key: string, token: string, ttl: number): Promise<boolean>
  /**
   * Releases (hands over) the lock if `token` owns it. `floor` (one Redis or Cluster only): the
   * highest fencing token this process issued itself to reused leases (see Locker `burst`); the
   * counter is raised to it first, kept `ttl` ms past it.
   */
  release (key: string, token: string, floor?: number, ttl?: number): Promise<boolean>
  wake (key: string): Wake
  /**
   * Calls `listener` whenever a connection of the store is ready again after a reconnect: perhaps
   * to a promoted replica that never saw a lock, so held leases check theirs at once. Returns the
   * function that removes it.
   */
  onReconnect (listener: () => void): () => void
  close (): Promise<void>
}

/** A waiting acquirer's attempt (wait-4.lua): `[1, fence or 0, pttl]` ours; `[0, holder pttl, Redis µs]` in line. */
export type WaitReply = [1, number, number] | [0, number, number]

/** A handoff to a waiter: its fencing token (0: unfenced) and the Redis time (µs) of the handoff. */
export interface Handoff { fence: number, atUs: number }

/** The keys of a lock besides its own (one hash tag): fencing counter, line, waiters. */
export function lineKeys (key: string): [string, string, string] {
  return [key + ':fence', key + ':q', key + ':w']
}

const noop = (): void => {}
/**
 * release-4.lua's optional arguments: none for a release (an empty array, which the script call's
 * argument flattening drops), '1' to leave the line.
 */
const PLAIN: readonly string[] = []
const LEAVING: readonly string[] = ['1']
const isOne = (reply: number): boolean => reply === 1

type Command = (...args: Array<string | number>) => Promise<number>

export class SingleStore implements Store {
  readonly #redis: RedisClient
  readonly #notifier: Notifier
  readonly #channel: string
  /**
   * This store's own id and channel (the release channel + ':' + id): a release that hands the
   * lock to one of our waiters publishes there, so a handoff wakes only the process it is for,
   * not every process subscribed to the release channel (each woken process costs CPU per turn).
   */
  readonly #id = randomBytes(6).toString('base64url')
  readonly #handoffChannel: string
  /** Bounds each call by the Locker's commandTimeout (no timer when the client's own is as tight). */
  readonly #bound: Bound
  /** Every failure as a coded error (FRP_REDIS_TIMEOUT, FRP_REDIS_UNAVAILABLE, ...). */
  readonly #fail: (err: unknown) => never
  readonly #acquireCmd: RawScript<number>
  readonly #acquireUnfencedCmd: Command
  readonly #releaseCmd: RawScript<number>
  readonly #releaseUnmarkedCmd: RawScript<number>
  /** Locks recently seen waited for: released with the handoff script directly. */
  readonly #contended = new Contended()
  readonly #waitCmd: (...args: Array<string | number>) => Promise<WaitReply>
  /** Waiters of this store in line, by token: called when a release hands them the lock. */
  readonly #handoffs = new Map<string, (h: Handoff) => void>()
  #handoffListener: Promise<() => void> | null = null
  /** onReconnect listeners: one 'ready' listener on the client for all of them, only while any. */
  readonly #reconnected = new Set<() => void>()
  readonly #onReady = (): void => { for (const fn of [...this.#reconnected]) fn() }

  constructor (redis: RedisClient, channel: string, timeout: number) {
    this.#redis = redis
    this.#channel = channel
    this.#handoffChannel = `${channel}:${this.#id}`
    const policy = callPolicy(redis, timeout)
    this.#bound = policy.bound
    this.#fail = policy.fail
    this.#notifier = Notifier.for(redis).retain()
    // The hot path calls pre-bound scripts (one EVALSHA each, no per-call lookups); acquire and
    // release take them raw and fold the NOSCRIPT fallback into their own rejection handler: one
    // promise fewer per call.
    this.#acquireCmd = scripts.bindRaw<number>(redis, 'acquire')
    this.#acquireUnfencedCmd = scripts.bind<number>(redis, 'acquire-unfenced')
    this.#releaseCmd = scripts.bindRaw<number>(redis, 'release')
    this.#releaseUnmarkedCmd = scripts.bindRaw<number>(redis, 'release-unmarked')
    this.#waitCmd = scripts.bind<WaitReply>(redis, 'wait')
  }

  acquire (key: string, fence: string | null, token: string, ttl: number): Promise<number> {
    if (fence === null) return this.#acquireUnfenced(key, token, ttl)
    return this.#bound(this.#acquireCmd.call(key, fence, token, ttl)).then(undefined, err =>
      this.#bound(this.#acquireCmd.recover(err, key, fence, token, ttl)).then(undefined, err => this.#acquireFailed(err, key, token)))
  }

  #acquireFailed (err: unknown, key: string, token: string): never {
    // A timed-out SET may still have landed: free it now rather than at its TTL.
    this.release(key, token).catch(noop)
    return this.#fail(err)
  }

  /**
   * Unfenced: a plain SET NX PX, the cheapest acquisition there is; only when the lock is held does
   * a script run (it retries the SET and marks the holder's value, so its release notifies us).
   */
  #acquireUnfenced (key: string, token: string, ttl: number): Promise<number> {
    const failed = (err: unknown): never => this.#acquireFailed(err, key, token)
    return this.#bound(this.#redis.set(key, token, 'PX', ttl, 'NX')).then(
      ok => ok === 'OK' ? 0 : this.#bound(this.#acquireUnfencedCmd(key, token, ttl)).then(undefined, failed),
      failed)
  }

  extend (key: string, token: string, ttl: number): Promise<boolean> {
    return this.#bound(scripts.run<number>(this.#redis, 'extend', [key], [token, ttl])).then(isOne, this.#fail)
  }

  release (key: string, token: string, floor = 0, ttl = 0): Promise<boolean> {
    if (floor > 0) return this.#release(key, token, ['0', floor, ttl])
    if (this.#contended.has(key)) return this.#release(key, token, PLAIN)
    // Uncontended, as far as we know: the one-key script; 2 = marked, so hand it over after all.
    const then = (reply: number): boolean | Promise<boolean> => {
      if (reply !== 2) return reply === 1
      this.#contended.mark(key)
      return this.#release(key, token, PLAIN)
    }
    return this.#bound(this.#releaseUnmarkedCmd.call(key, token)).then(then, err =>
      this.#bound(this.#releaseUnmarkedCmd.recover(err, key, token)).then(then, this.#fail))
  }

  /**
   * Leaves the line of `key` (a waiter that gives up); if a release handed it the lock meanwhile,
   * passes the lock on. True when it did.
   */
  leave (key: string, token: string): Promise<boolean> {
    return this.#release(key, token, LEAVING)
  }

  /**
   * release-4.lua; `rest`: its optional arguments after the token (the script derives the channel
   * from the key). True when released or handed over; a handover marks the lock as contended.
   */
  #release (key: string, token: string, rest: ReadonlyArray<string | number>): Promise<boolean> {
    const keys = lineKeys(key)
    const then = (reply: number): boolean => {
      if (reply === 2) this.#contended.mark(key)
      return reply > 0
    }
    return this.#bound(this.#releaseCmd.call(key, keys, token, rest)).then(then, err =>
      this.#bound(this.#releaseCmd.recover(err, key, keys, token, rest)).then(then, this.#fail))
  }

  /**
   * A waiting attempt: takes the lock, finds it handed to `token`, or joins (refreshes) the line.
   * Either way the lock is contended: our release of it goes to the handoff script directly.
   */
  waitInLine (key: string, fenced: boolean, token: string, ttl: number, aliveMs: number): Promise<WaitReply> {
    this.#contended.mark(key)
    const p = this.#waitCmd(key, ...lineKeys(key), token, ttl, fenced ? '1' : '0', aliveMs, this.#id)
    return this.#bound(p).then(undefined, this.#fail)
  }

  /**
   * Calls `listener` when a release hands lock `token`'s waiter the lock (a message on this
   * store's handoff channel, subscribed with the first listener: see `handoffReady`). Returns the
   * function that removes it.
   */
  onHandoff (token: string, listener: (h: Handoff) => void): () => void {
    if (this.#handoffListener === null) {
      this.#handoffListener = this.#notifier.subscribe(this.#handoffChannel, message => this.#handedOff(message))
      this.#handoffListener.catch(noop)
    }
    this.#handoffs.set(token, listener)
    return () => { this.#handoffs.delete(token) }
  }

  /**
   * Resolves true once the handoff channel is subscribed on a live connection, false if not within
   * `timeoutMs` (a waiter then re-checks on a timer instead of trusting a message to come).
   */
  handoffReady (timeoutMs: number): Promise<boolean> {
    return this.#ready(this.#handoffChannel, timeoutMs)
  }

  /** Whether `channel` is subscribed on a live connection within `timeoutMs` (false: not ready). */
  async #ready (channel: string, timeoutMs: number): Promise<boolean> {
    try {
      await this.#notifier.ready(channel, timeoutMs)
      return true
    } catch {
      return false
    }
  }

  /** A handoff-channel message: '<token> <fence> <µs>'. */
  #handedOff (message: string): void {
    if (this.#handoffs.size === 0) return
    const sp = message.indexOf(' ')
    if (sp < 0) return
    const listener = this.#handoffs.get(message.slice(0, sp))
    if (listener === undefined) return
    const sp2 = message.indexOf(' ', sp + 1)
    listener({ fence: Number(message.slice(sp + 1, sp2)), atUs: Number(message.slice(sp2 + 1)) })
  }

  /** Raises the fencing counter `fence` to `to` (kept `ttl` ms past it) while `token` holds `key`; true when it did. */
  raiseFence (key: string, fence: string, token: string, to: number, ttl: number): Promise<boolean> {
    return this.#bound(scripts.run<number>(this.#redis, 'raise-fence', [key, fence], [token, to, ttl])).then(isOne, this.#fail)
  }

  onReconnect (listener: () => void): () => void {
    // ioredis emits 'ready' on every (re)connection: through Sentinel, to the master it resolved.
    if (this.#reconnected.size === 0) this.#redis.on('ready', this.#onReady)
    this.#reconnected.add(listener)
    return () => {
      if (this.#reconnected.delete(listener) && this.#reconnected.size === 0) this.#redis.off('ready', this.#onReady)
    }
  }

  wake (key: string): Wake {
    const notifier = this.#notifier
    const channel = this.#channel
    const waiter = notifier.waiter(channel, key)
    return {
      ready: ms => this.#ready(channel, ms),
      wait: (ms, signal) => waiter.wait(ms, signal),
      cancel: () => waiter.cancel()
    }
  }

  async close (): Promise<void> {
    const off = this.#handoffListener
    if (off !== null) (await off.catch(() => noop))()
    await this.#notifier.release()
  }
}

/**
 * Redlock over independent masters. An acquisition counts when a quorum took the lock; the lease's
 * fencing token is the highest token among them, and every quorum node that was behind is raised
 * to it (only while we still hold the lock there) before the lease is handed out. Any later quorum
 * shares a node with this one, and that node issues a higher token: tokens stay monotonic even
 * though each master has its own clock and counter, without any assumption about those clocks.
 * Time-based tokens rarely agree to the microsecond, so this usually costs one more (parallel)
 * round trip to the nodes that were behind. Unfenced acquisitions (every node answers 0) skip it.
 */
export class QuorumStore implements Store {
  readonly #nodes: SingleStore[]
  readonly #quorum: number

  constructor (clients: RedisClient[], channel: string, timeout: number, quorum: number) {
    this.#nodes = clients.map(c => new SingleStore(c, channel, timeout))
    this.#quorum = quorum
  }

  async acquire (key: string, fence: string | null, token: string, ttl: number): Promise<number> {
    const replies = await Promise.allSettled(this.#nodes.map(n => n.acquire(key, fence, token, ttl)))
    let answered = 0
    let max = 0
    let wait = Infinity
    const won: number[] = []
    replies.forEach((r, i) => {
      if (r.status === 'rejected') return
      answered++
      if (r.value >= 0) { won.push(i); if (r.value > max) max = r.value } else {
        const pttl = -r.value - 1
        if (pttl > 0 && pttl < wait) wait = pttl
      }
    })
    if (won.length >= this.#quorum) {
      let confirmed = 0
      await Promise.all(won.map(async i => {
        const v = (replies[i] as PromiseFulfilledResult<number>).value
        if (v === max || fence === null) { confirmed++; return }
        if (await this.#nodes[i].raiseFence(key, fence, token, max, ttl).catch(() => false)) confirmed++
      }))
      if (confirmed >= this.#quorum) return max
    }
    // No quorum: give back what we took, so others need not wait for our TTL.
    await Promise.all(won.map(i => this.#nodes[i].release(key, token).catch(() => false)))
    if (answered < this.#quorum) throw new FRP_REDIS_UNAVAILABLE(`only ${answered} of ${this.#nodes.length} lock servers answered, ${this.#quorum} needed`)
    return wait === Infinity ? -1 : -wait - 1
  }

  async extend (key: string, token: string, ttl: number): Promise<boolean> {
    return await this.#count(n => n.extend(key, token, ttl)) >= this.#quorum
  }

  async release (key: string, token: string): Promise<boolean> {
    // Released everywhere it was held; "owned" when a quorum still held it.
    return await this.#count(n => n.release(key, token)) >= this.#quorum
  }

  async #count (op: (n: SingleStore) => Promise<boolean>): Promise<number> {
    const replies = await Promise.allSettled(this.#nodes.map(op))
    let yes = 0
    let answered = 0
    for (const r of replies) {
      if (r.status === 'fulfilled') { answered++; if (r.value) yes++ }
    }
    if (answered < this.#quorum) throw new FRP_REDIS_UNAVAILABLE(`only ${answered} of ${this.#nodes.length} lock servers answered, ${this.#quorum} needed`)
    return yes
  }

  wake (key: string): Wake {
    // A release publishes on every node; the first notification to arrive is enough.
    const wakes = this.#nodes.map(n => n.wake(key))
    return {
      ready: async ms => (await Promise.all(wakes.map(w => w.ready(ms)))).some(Boolean),
      wait: async (ms, signal) => {
        const ac = new AbortController()
        const onAbort = (): void => ac.abort()
        signal?.addEventListener('abort', onAbort, { once: true })
        try {
          const reason = await Promise.race(wakes.map(w => w.wait(ms, ac.signal)))
          return signal?.aborted === true ? 'aborted' : reason
        } finally {
          signal?.removeEventListener('abort', onAbort)
          ac.abort()
          for (const w of wakes) w.cancel()
        }
      },
      cancel: () => { for (const w of wakes) w.cancel() }
    }
  }

  onReconnect (listener: () => void): () => void {
    const offs = this.#nodes.map(n => n.onReconnect(listener))
    return () => { for (const off of offs) off() }
  }

  async close (): Promise<void> {
    await Promise.all(this.#nodes.map(n => n.close()))
  }
}

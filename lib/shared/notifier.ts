// One shared pub/sub subscriber per Redis client, with an in-process map of waiters per key.
//
// Used for wake-ups (a lock released, a cache key filled) and for invalidation broadcasts. One
// connection and one SUBSCRIBE per channel serve every key, instead of a channel per key.
//
// Lost wake-ups: a waiter must exist *before* the caller re-checks the condition, or a message sent
// between the check and the wait is missed. `waiter()` registers synchronously and the caller
// awaits `ready(channel)` (the subscription is confirmed by Redis) before its re-check.
//
// Disconnects: pub/sub drops messages for absent subscribers. When the subscriber connection
// drops, 'down' is emitted and every waiter wakes with 'reset' (re-check, then wait again); once
// the connection is back and the channels are subscribed again, 'up' is emitted. 'up' is emitted
// exactly once per transition to live: when the first subscription is confirmed, and after each
// 'down' once every channel is resubscribed. Users that cache
// anything on the strength of messages (an L1) must flush on 'down' and again on 'up'.
import { createSubscriber } from './connection.js'
import { isCluster, type RedisClient } from './client.js'
import { ClusterSubscriber, type SubscriberConnection } from './cluster-subscriber.js'
import { TypedEmitter } from './events.js'

export type WakeReason = 'notified' | 'timeout' | 'reset' | 'aborted'

export interface Waiter {
  /** Resolves when `key` is notified on the channel, the wait times out, or the subscriber resets. */
  wait (timeoutMs: number, signal?: AbortSignal): Promise<WakeReason>
  /** Removes the waiter (idempotent); call it when the caller no longer needs to wait. */
  cancel (): void
}

type Handler = (message: string) => void

const shared = new WeakMap<object, Notifier>()

/** A Notifier's events: the subscriber connection dropped ('down'), or is live again ('up'). */
export interface NotifierEvents {
  down: []
  up: []
}

export class Notifier extends TypedEmitter<NotifierEvents> {
  readonly #source: RedisClient
  #sub: SubscriberConnection | null = null
  readonly #handlers = new Map<string, Set<Handler>>()
  readonly #waiters = new Map<string, Map<string, Set<(r: WakeReason) => void>>>()
  readonly #subscribed = new Map<string, Promise<void>>()
  #live = false
  // Set by a drop after the connection was live, until the 'up' that follows the resubscription.
  #recovering = false
  #closed = false
  #users = 0

  /** The notifier shared by every pattern using `redis` (one subscriber connection per client). */
  static for (redis: RedisClient): Notifier {
    let n = shared.get(redis)
    if (n === undefined || n.#closed) {
      n = new Notifier(redis)
      shared.set(redis, n)
    }
    return n
  }

  constructor (redis: RedisClient) {
    super()
    this.#source = redis
    this.setMaxListeners(0)
  }

  /** True while the subscriber is connected and every channel is subscribed. */
  get isLive (): boolean { return this.#live }

  /** Counts a user of a shared notifier; `release()` closes it when the last user is done. */
  retain (): this { this.#users++; return this }

  async release (): Promise<void> {
    if (--this.#users <= 0) await this.close()
  }

  #connection (): SubscriberConnection {
    if (this.#sub !== null) return this.#sub
    // On a Cluster, our own node subscriber: ioredis's moves between nodes without a word
    // (cluster-subscriber.ts), and every move can lose messages.
    const sub: SubscriberConnection = isCluster(this.#source)
      ? new ClusterSubscriber(this.#source)
      : createSubscriber(this.#source) as unknown as SubscriberConnection
    this.#sub = sub
    sub.on('error', () => {}) // reconnection is ioredis's job; we react to close/ready below
    sub.on('message', (channel: string, message: string) => this.#dispatch(channel, message))
    sub.on('close', () => {
      if (!this.#live) return
      this.#live = false
      this.#recovering = true
      this.#subscribed.clear()
      this.emit('down')
      this.#wakeAll('reset')
    })
    sub.on('ready', () => {
      if (this.#closed || this.#live) return
      // ioredis resubscribes by itself, but we confirm every channel before declaring 'up', so an
      // 'up' listener knows that from now on no message is missed.
      const channels = [...this.#handlers.keys(), ...this.#waiters.keys()]
      const unique = [...new Set(channels)]
      for (const c of unique) this.#subscribed.set(c, this.#doSubscribe(c))
      Promise.all(unique.map(c => this.#subscribed.get(c))).then(() => {
        // A first `ready(channel)` may already have declared the connection live: a second 'up'
        // now would make an L1 flush entries it has filled since.
        if (this.#closed || sub.status !== 'ready' || this.#live) return
        this.#recovering = false
        this.#live = true
        this.emit('up')
      }, () => {})
    })
    return sub
  }

  async #doSubscribe (channel: string): Promise<void> {
    await this.#connection().subscribe(channel)
  }

  /**
   * Resolves once `channel` is subscribed on a live connection (rejects after `timeoutMs`).
   * Subscribes on first use.
   */
  async ready (channel: string, timeoutMs = 2000): Promise<void> {
    if (this.#closed) throw new Error('notifier closed')
    const sub = this.#connection()
    let p = this.#subscribed.get(channel)
    if (p === undefined) {
      p = this.#doSubscribe(channel).then(() => {
        // The first subscription confirmed on the first connection makes it live ('up' once, so
        // a listener that gave up waiting learns it). After a 'down', only the 'ready' handler
        // declares it live again, once every channel is resubscribed.
        if (sub.status === 'ready' && !this.#live && !this.#recovering) {
          this.#live = true
          this.emit('up')
        }
      })
      p.catch(() => this.#subscribed.delete(channel))
      this.#subscribed.set(channel, p)
    }
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([p, new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`subscription to ${channel} not ready within ${timeoutMs} ms`)), timeoutMs)
      })])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Calls `handler` for every message on `channel`; returns an unsubscribe function. */
  async subscribe (channel: string, handler: Handler, timeoutMs?: number): Promise<() => void> {
    let set = this.#handlers.get(channel)
    if (set === undefined) this.#handlers.set(channel, (set = new Set()))
    set.add(handler)
    await this.ready(channel, timeoutMs)
    return () => { set.delete(handler) }
  }

  /** Registers a waiter for `key` on `channel` now (synchronously), before any re-check. */
  waiter (channel: string, key: string): Waiter {
    let byKey = this.#waiters.get(channel)
    if (byKey === undefined) this.#waiters.set(channel, (byKey = new Map()))
    let set = byKey.get(key)
    if (set === undefined) byKey.set(key, (set = new Set()))
    let settle: ((r: WakeReason) => void) | null = null
    let early: WakeReason | null = null
    const entry = (r: WakeReason): void => { if (settle !== null) settle(r); else early ??= r }
    set.add(entry)
    const remove = (): void => {
      set.delete(entry)
      if (set.size === 0 && byKey.get(key) === set) byKey.delete(key)
    }
    return {
      cancel: remove,
      wait: (timeoutMs, signal) => {
        if (early !== null) { remove(); return Promise.resolve(early) }
        if (signal?.aborted === true) { remove(); return Promise.resolve('aborted') }
        return new Promise<WakeReason>(resolve => {
          const onAbort = (): void => done('aborted')
          const timer = setTimeout(() => done('timeout'), Math.max(0, timeoutMs))
          function done (r: WakeReason): void {
            clearTimeout(timer)
            signal?.removeEventListener('abort', onAbort)
            remove()
            settle = null
            resolve(r)
          }
          settle = done
          signal?.addEventListener('abort', onAbort, { once: true })
        })
      }
    }
  }

  /** Publishes `key` on `channel` through the normal (non-subscriber) connection. */
  async notify (channel: string, key: string): Promise<number> {
    return await this.#source.publish(channel, key)
  }

  #dispatch (channel: string, message: string): void {
    const hs = this.#handlers.get(channel)
    if (hs !== undefined) for (const h of hs) h(message)
    const set = this.#waiters.get(channel)?.get(message)
    if (set !== undefined) for (const w of [...set]) w('notified')
  }

  #wakeAll (reason: WakeReason): void {
    for (const byKey of this.#waiters.values()) {
      for (const set of byKey.values()) for (const w of [...set]) w(reason)
    }
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#live = false
    this.#wakeAll('reset')
    this.#handlers.clear()
    const sub = this.#sub
    this.#sub = null
    if (shared.get(this.#source) === this) shared.delete(this.#source)
    if (sub !== null) {
      sub.removeAllListeners('close')
      await sub.quit().catch(() => sub.disconnect())
    }
  }
}

// Write-behind: writes update the cache at once and are buffered *in Redis* (not in process
// memory), then handed to a flusher callback in batches, retried on failure, flushed on close.
//
// Keys (one hash tag per buffer, so every script is Cluster-safe):
//   {wb:name}:data    hash key -> latest pending value (a newer write of a key replaces the older)
//   {wb:name}:queue   list of pending keys, each once, in first-write order
//   {wb:name}:flight  hash of the batch a flusher is working on
//   {wb:name}:lease   the flusher's lease (one flusher per buffer across all instances)
// A flusher that dies leaves its batch in :flight; the next claim after its lease expired puts
// the batch back (unless a newer write of the key is pending). Delivery is at least once.
import { FRP_WRITE_BEHIND_CLOSED } from '../shared/errors.js'
import type { Codec } from '../shared/codec.js'
import { withTimeout, type Bound, type CallPolicy } from '../shared/call-policy.js'
import type { RedisClient } from '../shared/client.js'
import { TypedEmitter } from '../shared/events.js'
import type { KeySpace } from '../shared/keys.js'
import { invalid, optDuration, optFunction, optInt, rejectUnknown, type Duration } from '../shared/options.js'
import { callOptionsInMs, type CallOptions } from './options.js'
import { scripts } from './scripts.js'
import { newToken } from './stampede.js'

/**
 * What a buffer needs of the Cache that owns it. Declared here rather than importing Cache:
 * Cache creates the buffers (`cache.writeBehind()`), so importing it back would make the two
 * modules depend on each other.
 */
export interface BufferOwner {
  readonly redis: RedisClient
  /** Where buffers keep their keys. */
  readonly space: KeySpace
  /** Bounds each Redis call by the cache's commandTimeout (call-policy's boundFor). */
  readonly bounded: Bound
  /** Rejects with the cache's coded error for a Redis failure (its call policy). */
  readonly rejectCoded: CallPolicy['fail']
  readonly codec: Codec
  set (key: string, value: unknown, opts?: CallOptions): Promise<void>
  /** Validates per-call options (throws on bad ones). */
  checkCallOptions (opts: CallOptions): void
  /** Counts, logs and emits a failure on the cache (its 'error' event). */
  fail (err: unknown, key: string): void
  /** Logs through the cache's logger. */
  warn (obj: unknown, msg: string): void
}

export interface BufferedWrite<T> { key: string, value: T }

/** A buffer's events: name → the listener's arguments (docs/cache.md, "Write-behind"). */
export interface WriteBehindEvents {
  /** A batch reached the origin: how many writes it held. */
  flushed: [count: number]
  /**
   * Writes that did not reach the origin: a batch whose last attempt failed (put back for a later
   * flush), or a buffered value that could not be decoded (dropped). Never thrown: without a
   * listener the failure is logged through the cache's logger.
   */
  error: [err: unknown, keys: string[]]
  close: []
}

export interface WriteBehindOptions<T> {
  /** Writes a batch to the origin; throw to have it retried. Must be idempotent (at-least-once). */
  flush: (batch: Array<BufferedWrite<T>>) => Promise<void> | void
  /** Most writes per batch (default 100). */
  batchSize?: number
  /** Flush every this long, ms or a duration string (default 1,000; 0 = only on flush()/close()). */
  interval?: Duration
  /** Attempts per batch before it is put back in the queue for a later flush (default 3). */
  maxAttempts?: number
  /** First retry delay, ms or a duration string, doubled each attempt (default 100). */
  retryDelay?: Duration
  /** How long a flusher may hold a batch before another instance takes it back (ms or a duration string, default 30,000). */
  leaseTtl?: Duration
  /** Cache options of the entries written through this buffer. */
  cache?: CallOptions
}

type NormalizedWriteBehindOptions<T> = Required<Omit<WriteBehindOptions<T>, 'cache' | 'interval' | 'retryDelay' | 'leaseTtl'>> &
  { cache: CallOptions | undefined, interval: number, retryDelay: number, leaseTtl: number }

export class WriteBehind<T = unknown> extends TypedEmitter<WriteBehindEvents> {
  readonly name: string
  readonly #cache: BufferOwner
  readonly #keys: [string, string, string, string]
  readonly #o: NormalizedWriteBehindOptions<T>
  readonly #token = newToken()
  #timer: NodeJS.Timeout | null = null
  #flushing: Promise<number> | null = null
  #closed = false

  constructor (cache: BufferOwner, name: string, options: WriteBehindOptions<T>) {
    super()
    if (typeof name !== 'string' || name.length === 0) throw invalid('writeBehind.name', 'must be a non-empty string')
    rejectUnknown('writeBehind', options, ['flush', 'batchSize', 'interval', 'maxAttempts', 'retryDelay', 'leaseTtl', 'cache'])
    this.#cache = cache
    this.name = name
    this.#o = {
      flush: optFunction('writeBehind.flush', options?.flush) ?? (() => { throw invalid('writeBehind.flush', 'is required') })(),
      batchSize: optInt('writeBehind.batchSize', options.batchSize, 100, 1, 10_000),
      interval: optDuration('writeBehind.interval', options.interval, 1000, 0),
      maxAttempts: optInt('writeBehind.maxAttempts', options.maxAttempts, 3, 1, 100),
      retryDelay: optDuration('writeBehind.retryDelay', options.retryDelay, 100, 0),
      leaseTtl: optDuration('writeBehind.leaseTtl', options.leaseTtl, 30_000, 100),
      // Checked, and its durations parsed, once: every buffered write reuses it.
      cache: options.cache === undefined ? undefined : callOptionsInMs(options.cache)
    }
    const s = cache.space
    this.#keys = [s.key(name, 'data'), s.key(name, 'queue'), s.key(name, 'flight'), s.key(name, 'lease')]
    if (this.#o.interval > 0) {
      this.#timer = setInterval(() => { this.flush().catch(() => {}) }, this.#o.interval)
      this.#timer.unref()
    }
  }

  /**
   * Updates the cache and buffers the write for the origin. Resolves once the write is stored in
   * Redis (it then survives a crash of this process); rejects if Redis does not take it.
   */
  async write (key: string, value: T): Promise<void> {
    if (this.#closed) throw new FRP_WRITE_BEHIND_CLOSED(this.name)
    const c = this.#cache
    const payload = c.codec.encode(value)
    await c.bounded(scripts.run(c.redis, 'wb-write', [this.#keys[0], this.#keys[1]], [key, payload])).catch(c.rejectCoded)
    await c.set(key, value, this.#o.cache)
  }

  /** Number of writes waiting (not counting a batch being flushed). */
  async pending (): Promise<number> {
    return await this.#cache.bounded(this.#cache.redis.llen(this.#keys[1])).catch(this.#cache.rejectCoded)
  }

  /** Flushes everything pending now (one flush at a time per instance); returns writes flushed. */
  flush (): Promise<number> {
    if (this.#flushing !== null) return this.#flushing
    const p = this.#drain().finally(() => { this.#flushing = null })
    this.#flushing = p
    return p
  }

  async #drain (): Promise<number> {
    let total = 0
    const c = this.#cache
    for (;;) {
      const reply = await c.bounded(scripts.run<string[] | [0]>(c.redis, 'wb-claim', this.#keys,
        [this.#token, this.#o.leaseTtl, this.#o.batchSize])).catch(c.rejectCoded)
      if (reply[0] === 0 || reply.length <= 1) return total // another flusher holds the lease, or nothing to do
      const batch: Array<BufferedWrite<T>> = []
      const keys: string[] = []
      for (let i = 1; i < reply.length; i += 2) {
        const key = String(reply[i])
        keys.push(key)
        try {
          batch.push({ key, value: c.codec.decode(String(reply[i + 1])) as T })
        } catch (err) {
          // Undecodable: dropped (settled with the batch), reported. Regression: emitted as
          // 'error' without a listener, which threw out of the drain and left the batch unsettled.
          this.#report(err, [key])
        }
      }
      const ok = await this.#deliver(batch)
      await c.bounded(scripts.run(c.redis, 'wb-settle', this.#keys, [this.#token, ok ? 'ack' : 'requeue', ...keys])).catch(c.rejectCoded)
      if (!ok) return total
      total += batch.length
      if (keys.length < this.#o.batchSize) return total
    }
  }

  async #deliver (batch: Array<BufferedWrite<T>>): Promise<boolean> {
    if (batch.length === 0) return true
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#o.flush(batch)
        if (this.listenerCount('flushed') > 0) this.emit('flushed', batch.length)
        return true
      } catch (err) {
        if (attempt >= this.#o.maxAttempts) {
          if (this.listenerCount('error') > 0) this.emit('error', err, batch.map(b => b.key))
          this.#cache.fail(err, `write-behind:${this.name}`)
          return false
        }
        await new Promise(resolve => setTimeout(resolve, this.#o.retryDelay * 2 ** (attempt - 1)))
      }
    }
  }

  /** Emits 'error' when someone listens, else logs it through the cache's logger. */
  #report (err: unknown, keys: string[]): void {
    if (this.listenerCount('error') > 0) this.emit('error', err, keys)
    else this.#cache.warn({ err, keys, buffer: this.name }, 'cache: write-behind dropped a buffered value it could not decode')
  }

  /** Stops the timer and flushes what is pending (bounded by `timeout`: ms or a duration string); idempotent. */
  async close (timeout: Duration = 10_000): Promise<void> {
    if (this.#closed) return
    const timeoutMs = optDuration('writeBehind.close.timeout', timeout, 10_000)
    this.#closed = true
    if (this.#timer !== null) clearInterval(this.#timer)
    try {
      await withTimeout(this.flush(), timeoutMs)
    } catch (err) {
      this.#cache.fail(err, `write-behind:${this.name}`)
    }
    if (this.listenerCount('close') > 0) this.emit('close')
  }
}

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
import { EventEmitter } from 'node:events'
import type { Codec } from '../shared/codec.js'
import { withTimeout, type RedisClient } from '../shared/connection.js'
import { invalid, optFunction, optInt, rejectUnknown } from '../shared/options.js'
import type { CacheKeys } from './keys.js'
import type { CallOptions } from './options.js'
import { scripts } from './scripts.js'
import { newToken } from './stampede.js'

/**
 * What a buffer needs of the Cache that owns it. Declared here rather than importing Cache:
 * Cache creates the buffers (`cache.writeBehind()`), so importing it back would make the two
 * modules depend on each other.
 */
export interface BufferOwner {
  readonly redis: RedisClient
  readonly keys: Pick<CacheKeys, 'bufferSpace'>
  readonly options: { readonly commandTimeout: number }
  readonly codec: Codec
  set (key: string, value: unknown, opts?: CallOptions): Promise<void>
  /** Validates per-call options (throws on bad ones); the result is not used here. */
  effective (opts: CallOptions): unknown
  /** Counts, logs and emits a Redis error (the cache's error path). */
  fail (err: unknown, key: string): void
}

export interface BufferedWrite<T> { key: string, value: T }

export interface WriteBehindOptions<T> {
  /** Writes a batch to the origin; throw to have it retried. Must be idempotent (at-least-once). */
  flush: (batch: Array<BufferedWrite<T>>) => Promise<void> | void
  /** Most writes per batch (default 100). */
  batchSize?: number
  /** Flush every this many ms (default 1,000; 0 = only on flush()/close()). */
  interval?: number
  /** Attempts per batch before it is put back in the queue for a later flush (default 3). */
  maxAttempts?: number
  /** First retry delay in ms, doubled each attempt (default 100). */
  retryDelay?: number
  /** How long a flusher may hold a batch before another instance takes it back (ms, default 30,000). */
  leaseTtl?: number
  /** Cache options of the entries written through this buffer. */
  cache?: CallOptions
}

export class WriteBehind<T = unknown> extends EventEmitter {
  readonly name: string
  private readonly keys: [string, string, string, string]
  private readonly o: Required<Omit<WriteBehindOptions<T>, 'cache'>> & { cache: CallOptions | undefined }
  private readonly token = newToken()
  private timer: NodeJS.Timeout | null = null
  private flushing: Promise<number> | null = null
  private closed = false

  constructor (private readonly cache: BufferOwner, name: string, options: WriteBehindOptions<T>) {
    super()
    if (typeof name !== 'string' || name.length === 0) throw invalid('writeBehind.name', 'must be a non-empty string')
    rejectUnknown('writeBehind', options, ['flush', 'batchSize', 'interval', 'maxAttempts', 'retryDelay', 'leaseTtl', 'cache'])
    this.name = name
    this.o = {
      flush: optFunction('writeBehind.flush', options?.flush) ?? (() => { throw invalid('writeBehind.flush', 'is required') })(),
      batchSize: optInt('writeBehind.batchSize', options.batchSize, 100, 1, 10_000),
      interval: optInt('writeBehind.interval', options.interval, 1000, 0),
      maxAttempts: optInt('writeBehind.maxAttempts', options.maxAttempts, 3, 1, 100),
      retryDelay: optInt('writeBehind.retryDelay', options.retryDelay, 100, 0),
      leaseTtl: optInt('writeBehind.leaseTtl', options.leaseTtl, 30_000, 100),
      cache: options.cache
    }
    if (options.cache !== undefined) cache.effective(options.cache)
    const s = cache.keys.bufferSpace
    this.keys = [s.key(name, 'data'), s.key(name, 'queue'), s.key(name, 'flight'), s.key(name, 'lease')]
    if (this.o.interval > 0) {
      this.timer = setInterval(() => { this.flush().catch(() => {}) }, this.o.interval)
      this.timer.unref()
    }
  }

  /**
   * Updates the cache and buffers the write for the origin. Resolves once the write is stored in
   * Redis (it then survives a crash of this process); rejects if Redis does not take it.
   */
  async write (key: string, value: T): Promise<void> {
    if (this.closed) throw new Error(`write-behind buffer "${this.name}" is closed`)
    const payload = this.cache.codec.encode(value)
    await withTimeout(scripts.run(this.cache.redis, 'wb-write', [this.keys[0], this.keys[1]], [key, payload]), this.cache.options.commandTimeout)
    await this.cache.set(key, value, this.o.cache)
  }

  /** Number of writes waiting (not counting a batch being flushed). */
  async pending (): Promise<number> {
    return await withTimeout(this.cache.redis.llen(this.keys[1]), this.cache.options.commandTimeout)
  }

  /** Flushes everything pending now (one flush at a time per instance); returns writes flushed. */
  flush (): Promise<number> {
    if (this.flushing !== null) return this.flushing
    const p = this.drain().finally(() => { this.flushing = null })
    this.flushing = p
    return p
  }

  private async drain (): Promise<number> {
    let total = 0
    const t = this.cache.options.commandTimeout
    for (;;) {
      const reply = await withTimeout(scripts.run<string[] | [0]>(this.cache.redis, 'wb-claim', this.keys,
        [this.token, this.o.leaseTtl, this.o.batchSize]), t)
      if (reply[0] === 0 || reply.length <= 1) return total // another flusher holds the lease, or nothing to do
      const batch: Array<BufferedWrite<T>> = []
      const keys: string[] = []
      for (let i = 1; i < reply.length; i += 2) {
        const key = String(reply[i])
        keys.push(key)
        try {
          batch.push({ key, value: this.cache.codec.decode(String(reply[i + 1])) as T })
        } catch (err) {
          this.emit('error', err, [key]) // undecodable: dropped, reported
        }
      }
      const ok = await this.deliver(batch)
      await withTimeout(scripts.run(this.cache.redis, 'wb-settle', this.keys, [this.token, ok ? 'ack' : 'requeue', ...keys]), t)
      if (!ok) return total
      total += batch.length
      if (keys.length < this.o.batchSize) return total
    }
  }

  private async deliver (batch: Array<BufferedWrite<T>>): Promise<boolean> {
    if (batch.length === 0) return true
    for (let attempt = 1; ; attempt++) {
      try {
        await this.o.flush(batch)
        this.emit('flushed', batch.length)
        return true
      } catch (err) {
        if (attempt >= this.o.maxAttempts) {
          if (this.listenerCount('error') > 0) this.emit('error', err, batch.map(b => b.key))
          this.cache.fail(err, `write-behind:${this.name}`)
          return false
        }
        await new Promise(resolve => setTimeout(resolve, this.o.retryDelay * 2 ** (attempt - 1)))
      }
    }
  }

  /** Stops the timer and flushes what is pending (bounded by `timeoutMs`); idempotent. */
  async close (timeoutMs = 10_000): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.timer !== null) clearInterval(this.timer)
    try {
      await withTimeout(this.flush(), timeoutMs)
    } catch (err) {
      this.cache.fail(err, `write-behind:${this.name}`)
    }
    this.emit('close')
  }
}

// Counters of every instance of an app, pooled in Redis so that any instance can show the sum:
// each instance writes its own counters (cumulative since it started) into one hash, field =
// its instance id, value = JSON { at, counts }, every `interval`; a reader sums the fields
// written recently and deletes the ones older than `staleAfter` (an instance that stopped). The
// hash itself expires after `staleAfter` with no writer. Cost: one HSET + PEXPIRE per instance
// per interval; one HGETALL (a field per live instance) per read.
import { randomBytes } from 'node:crypto'
import { callPolicy, type CallPolicy } from './call-policy.js'
import type { RedisClient } from './connection.js'

export type Counts = Record<string, number>

export interface InstanceCounts {
  instance: string
  /** When this instance last wrote (its clock, ms). */
  at: number
  counts: Counts
}

export interface PooledCounts {
  /** The sum over the live instances. */
  total: Counts
  instances: InstanceCounts[]
}

export interface SharedCountersOptions {
  /** How often this instance writes (ms, default 5000). */
  interval?: number
  /** Entries older than this are left out and deleted (ms, default 3 × interval). */
  staleAfter?: number
  commandTimeout?: number
  /** This instance's id (default: random). */
  instance?: string
}

export class SharedCounters {
  readonly instance: string
  readonly #redis: RedisClient
  readonly #key: string
  readonly #read: () => Counts
  readonly #interval: number
  readonly #staleAfter: number
  readonly #policy: CallPolicy
  #timer: NodeJS.Timeout | null = null

  /** `read` gives this instance's counters (cumulative); `key` is the pooled hash. */
  constructor (redis: RedisClient, key: string, read: () => Counts, opts: SharedCountersOptions = {}) {
    this.#redis = redis
    this.#key = key
    this.#read = read
    this.#interval = opts.interval ?? 5000
    this.#staleAfter = opts.staleAfter ?? 3 * this.#interval
    this.#policy = callPolicy(redis, opts.commandTimeout ?? 1000)
    this.instance = opts.instance ?? randomBytes(6).toString('base64url')
  }

  /** Writes now, then every interval (failures are ignored: the next write catches up). */
  start (): this {
    if (this.#timer !== null) return this
    this.publish().catch(() => {})
    this.#timer = setInterval(() => { this.publish().catch(() => {}) }, this.#interval)
    this.#timer.unref()
    return this
  }

  /** Stops writing and removes this instance's entry (best effort). */
  async stop (): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
    await this.#policy.bound(this.#redis.hdel(this.#key, this.instance)).catch(() => {})
  }

  /** Writes this instance's counters now. */
  async publish (): Promise<void> {
    const value = JSON.stringify({ at: Date.now(), counts: this.#read() })
    const p = this.#redis.pipeline().hset(this.#key, this.instance, value).pexpire(this.#key, this.#staleAfter)
    await this.#policy.bound(p.exec()).then(undefined, this.#policy.fail)
  }

  /** The counters of every live instance and their sum; this instance's are written first. */
  async read (): Promise<PooledCounts> {
    await this.publish()
    const all = await this.#policy.bound(this.#redis.hgetall(this.#key)).then(undefined, this.#policy.fail)
    const now = Date.now()
    const instances: InstanceCounts[] = []
    const stale: string[] = []
    for (const [instance, raw] of Object.entries(all)) {
      let v: { at?: unknown, counts?: unknown } | null = null
      try { v = JSON.parse(raw) } catch {}
      if (v === null || typeof v.at !== 'number' || typeof v.counts !== 'object' || v.counts === null || now - v.at > this.#staleAfter) {
        stale.push(instance)
        continue
      }
      instances.push({ instance, at: v.at, counts: v.counts as Counts })
    }
    if (stale.length > 0) await this.#policy.bound(this.#redis.hdel(this.#key, ...stale)).catch(() => {})
    const total: Counts = {}
    for (const i of instances) {
      for (const [k, n] of Object.entries(i.counts)) if (typeof n === 'number' && Number.isFinite(n)) total[k] = (total[k] ?? 0) + n
    }
    instances.sort((a, b) => a.instance < b.instance ? -1 : 1)
    return { total, instances }
  }
}

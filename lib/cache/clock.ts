// An estimate of the Redis clock. Entries carry Redis times (written by scripts with TIME, so all
// app instances agree); a reader compares them with local time plus this offset, measured with
// one TIME round trip (error: half the round trip) and refreshed now and then.
import { boundFor, type Bound } from '../shared/call-policy.js'
import type { RedisClient } from '../shared/client.js'

export class RedisClock {
  /** Redis time minus local time, in ms. */
  offset = 0
  readonly #redis: RedisClient
  readonly #bounded: Bound
  #timer: NodeJS.Timeout | null = null

  constructor (redis: RedisClient, timeout: number) {
    this.#redis = redis
    this.#bounded = boundFor(redis, timeout)
  }

  now (): number { return Date.now() + this.offset }

  /** Measures the offset; keeps the previous estimate when Redis does not answer. */
  async sync (): Promise<void> {
    try {
      const before = Date.now()
      const [s, us] = await this.#bounded(this.#redis.time())
      const after = Date.now()
      this.offset = Number(s) * 1000 + Math.floor(Number(us) / 1000) - (before + after) / 2
    } catch {
      // The next sync tries again; until then the last estimate (or zero) stands.
    }
  }

  /** Learns the offset from a Redis time returned by a script, when the estimate drifted. */
  observe (redisNow: number, sentAt: number): void {
    const after = Date.now()
    const measured = redisNow - (sentAt + after) / 2
    // Only a disagreement larger than the measurement error is a drift worth following.
    if (Math.abs(measured - this.offset) > (after - sentAt) / 2 + 20) this.offset = measured
  }

  start (everyMs: number): void {
    this.sync().catch(() => {})
    this.#timer = setInterval(() => { this.sync().catch(() => {}) }, everyMs)
    this.#timer.unref()
  }

  stop (): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }
}

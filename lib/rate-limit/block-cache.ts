// Local memory of keys that Redis has just rejected. Until the rejection's retry time, a request
// for such a key (with at least the rejected cost) is rejected without a Redis round trip: an
// attacker hammering one key costs Redis nothing. Exact, because a rejected request consumes
// nothing, so Redis would give the same answer until retryAfterMs has passed (only a reset()
// elsewhere can change that; it clears this process's cache).
import type { RateLimitResult } from './result.js'
import { evictBatch } from './evict.js'

interface Block { until: number, at: number, cost: number, result: RateLimitResult }

export class BlockCache {
  readonly #blocks = new Map<string, Block>()
  readonly #maxKeys: number

  constructor (maxKeys: number) { this.#maxKeys = maxKeys }

  get size (): number { return this.#blocks.size }

  /** The cached rejection of `key` for a request of `cost`, refreshed to now; undefined if none. */
  get (key: string, cost: number): RateLimitResult | undefined {
    if (this.#blocks.size === 0) return undefined
    const b = this.#blocks.get(key)
    if (b === undefined) return undefined
    const now = performance.now()
    if (now >= b.until) { this.#blocks.delete(key); return undefined }
    if (cost < b.cost) return undefined
    const r = b.result
    return {
      allowed: false,
      limit: r.limit,
      remaining: r.remaining,
      resetMs: Math.max(0, Math.ceil(r.resetMs - (now - b.at))),
      retryAfterMs: Math.max(1, Math.ceil(b.until - now)),
      policy: r.policy,
      degraded: false
    }
  }

  set (key: string, cost: number, result: RateLimitResult): void {
    const now = performance.now()
    if (this.#blocks.size >= this.#maxKeys && !this.#blocks.has(key)) this.#evict(now)
    this.#blocks.set(key, { until: now + result.retryAfterMs, at: now, cost, result })
  }

  delete (key: string): void { this.#blocks.delete(key) }

  clear (): void { this.#blocks.clear() }

  #evict (now: number): void {
    evictBatch(this.#blocks, this.#maxKeys, b => now >= b.until)
  }
}

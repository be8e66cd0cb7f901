// Per-process stand-in for Redis while it is unavailable: a fixed-window counter per key and
// policy, in memory. Each process enforces `limit / instances`, so a fleet of `instances`
// processes stays near the global limit instead of failing wide open. Memory is bounded: at
// `maxKeys` keys, expired windows are swept, then the oldest keys are dropped.
import type { RateLimitResult } from './result.js'
import type { RateLimitRule } from './policy.js'
import { evictBatch } from './evict.js'

interface Entry { starts: number[], counts: number[], until: number }

export class InsuranceLimiter {
  readonly #entries = new Map<string, Entry>()
  readonly #instances: number
  readonly #maxKeys: number

  constructor (instances: number, maxKeys: number) {
    this.#instances = instances
    this.#maxKeys = maxKeys
  }

  get size (): number { return this.#entries.size }

  hit (key: string, rule: RateLimitRule, cost: number, consume = true): RateLimitResult {
    const now = performance.now()
    const policies = rule.policies
    let e = this.#entries.get(key)
    if (e === undefined) {
      e = { starts: new Array(policies.length).fill(now), counts: new Array(policies.length).fill(0), until: 0 }
      if (this.#entries.size >= this.#maxKeys) this.#evict(now)
      this.#entries.set(key, e)
    }
    let allowed = true
    for (let i = 0; i < policies.length; i++) {
      if (e.starts[i] === undefined || now >= e.starts[i] + policies[i].window) { e.starts[i] = now; e.counts[i] = 0 }
      if (e.counts[i] + cost > this.#limitOf(i, rule)) allowed = false
    }
    let bi = 0; let bRem = Infinity; let bReset = 0; let bRetry = -1
    for (let i = 0; i < policies.length; i++) {
      const limit = this.#limitOf(i, rule)
      if (allowed && consume) {
        e.counts[i] += cost
        e.until = Math.max(e.until, e.starts[i] + policies[i].window)
      }
      const rem = Math.max(0, limit - e.counts[i])
      const reset = e.counts[i] > 0 ? Math.ceil(e.starts[i] + policies[i].window - now) : 0
      if (allowed) {
        if (rem < bRem) { bi = i; bRem = rem; bReset = reset }
      } else if (e.counts[i] + cost > limit && reset > bRetry) {
        bi = i; bRem = rem; bReset = reset; bRetry = cost > limit ? policies[i].window : reset
      }
    }
    const p = policies[bi]
    return { allowed, limit: p.limit, remaining: bRem, resetMs: bReset, retryAfterMs: Math.max(0, bRetry), policy: p, degraded: true }
  }

  clear (key?: string): void {
    if (key === undefined) this.#entries.clear()
    else this.#entries.delete(key)
  }

  #limitOf (i: number, rule: RateLimitRule): number {
    const p = rule.policies[i]
    return Math.max(1, Math.floor((rule.algorithm === 'gcra' ? p.burst : p.limit) / this.#instances))
  }

  #evict (now: number): void {
    evictBatch(this.#entries, this.#maxKeys, e => now >= e.until)
  }
}

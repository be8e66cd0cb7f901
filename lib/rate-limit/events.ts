// The rate limiter's typed events (see RateLimiter; docs/rate-limit.md lists them).
import type { RateLimitPolicy } from './policy.js'
import type { RateLimitResult } from './result.js'

/**
 * Who answered a check: Redis, the local block cache (a key Redis has just rejected), or the
 * failure policy while Redis failed: the insurance limiter, allow-all (no insurance) or deny.
 */
export type DecisionSource = 'redis' | 'block-cache' | 'insurance' | 'fail-open' | 'fail-closed'

/** One check's outcome, as the 'decision' event reports it. */
export interface RateLimitDecision {
  /** The key checked, as given to hit()/peek()/hitFast() (the plugin's: `<scope>|<key>`). */
  key: string
  allowed: boolean
  /** false for peek(): nothing was counted. */
  counted: boolean
  source: DecisionSource
  /** The policy that decided (bounded: a name per configured policy, for metric labels). */
  policy: RateLimitPolicy
  result: RateLimitResult
}

/** A RateLimiter's events (emitted only while someone listens). */
export interface RateLimiterEvents {
  decision: [decision: RateLimitDecision]
  /** Redis failed or timed out (FRP_RATE_LIMIT_STORE, its cause the call's coded error); the failure policy applies. */
  error: [err: Error]
}

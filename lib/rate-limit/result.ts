import type { RateLimitPolicy } from './policy.js'

/** The outcome of a check. "Limited" is a result (allowed: false), never a thrown error. */
export interface RateLimitResult {
  /** True when every policy allowed the request (and it was counted, unless peeked). */
  allowed: boolean
  /** Quota of the binding policy (the rejecting one, or the one with least remaining). */
  limit: number
  /** Units left in the binding policy after this request. */
  remaining: number
  /** Ms until the binding policy's quota is fully restored. */
  resetMs: number
  /** Ms until a request of the same cost may pass (0 when allowed). */
  retryAfterMs: number
  /** The binding policy. */
  policy: RateLimitPolicy
  /** True when Redis was unavailable and the result comes from the failure policy (insurance limiter or deny). */
  degraded: boolean
}

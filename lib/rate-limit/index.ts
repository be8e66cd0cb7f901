// The rate-limit pattern's public surface.
export { RateLimiter, type HitCallback } from './rate-limiter.js'
export { normalizeRateLimiterOptions, type RateLimiterOptions, type NormalizedRateLimiterOptions, type PolicyInput } from './options.js'
export type { RateLimiterEvents, RateLimitDecision, DecisionSource } from './events.js'
export { ALGORITHMS, normalizeRule, type Algorithm, type RateLimitPolicyOptions, type RateLimitPolicy, type RateLimitRule } from './policy.js'
export type { RateLimitResult } from './result.js'
export { ipKey } from './ip.js'
export type { Duration } from '../shared/options.js'

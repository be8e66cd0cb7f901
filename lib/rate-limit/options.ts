// Options of the rate limiter, validated and normalized once at construction, with an error naming
// the option. `timeout` is the deprecated name of `commandTimeout` (the name every pattern uses):
// still accepted, with one FRP_DEP001 warning per process.
// process-warning is CommonJS whose named exports Node's ESM loader cannot detect: use its default.
import processWarning from 'process-warning'
import { invalid, optDuration, optEnum, optInt, optString, rejectUnknown, type Duration } from '../shared/options.js'
import { normalizeRule, type RateLimitPolicyOptions, type RateLimitRule } from './policy.js'

export type PolicyInput = RateLimitPolicyOptions | RateLimitPolicyOptions[] | RateLimitRule

export interface RateLimiterOptions {
  /** Global key prefix (default 'frp'). Keys: `<prefix>:rate-limit:{<key>}:<algorithm>`. */
  prefix?: string
  /** Longest wait for Redis per check: ms or a duration string (default 1000). */
  commandTimeout?: Duration
  /** @deprecated since 0.2: use `commandTimeout` (warns once, FRP_DEP001). */
  timeout?: Duration
  /** What a check returns when Redis fails or times out: 'throw' FRP_RATE_LIMIT_STORE (default), 'allow' (through the insurance limiter) or 'deny'. */
  onRedisError?: 'throw' | 'allow' | 'deny'
  /** In-memory limiter used by onRedisError 'allow': each process allows limit / instances. `false` allows everything. */
  insurance?: false | { instances?: number, maxKeys?: number }
  /** Reject keys Redis has just rejected without a round trip until their retry time (default true). */
  blockCache?: boolean | { maxKeys?: number }
  /** The default policies of hit()/peek() when none is given. */
  policies?: PolicyInput
  /**
   * Send the counted checks of one-policy rules of one event-loop turn as one script call, at
   * most `maxChecks` (default 64) per call (default true). Same results as one call per check.
   * On a Redis Cluster client, one call per key and turn (a script's keys must share a slot).
   */
  batch?: boolean | { maxChecks?: number }
}

export interface NormalizedRateLimiterOptions {
  prefix: string
  commandTimeout: number
  onRedisError: 'throw' | 'allow' | 'deny'
  /** null: no insurance limiter ('allow' then allows everything). */
  insurance: { instances: number, maxKeys: number } | null
  /** null: no block cache. */
  blockCache: { maxKeys: number } | null
  policies: RateLimitRule | null
  /** The batch size cap, 0 when batching is off. */
  batch: number
}

const OPTION_KEYS = ['prefix', 'commandTimeout', 'timeout', 'onRedisError', 'insurance', 'blockCache', 'policies', 'batch'] as const

const timeoutDeprecated = processWarning.createWarning({
  name: 'DeprecationWarning',
  code: 'FRP_DEP001',
  message: 'The rate limiter option "%s" is deprecated: use "%s" (same meaning).'
})

/** The name of option `key` in errors: bare for the core (`"commandTimeout"`), prefixed for a plugin. */
function named (where: string, key: string): string {
  return where === '' ? key : `${where}.${key}`
}

/**
 * Checks `options` and fills in the defaults. Errors name each option bare (`"commandTimeout"`),
 * or under `where` when given (`"redisRateLimit.commandTimeout"`).
 */
export function normalizeRateLimiterOptions (options: RateLimiterOptions = {}, where = ''): NormalizedRateLimiterOptions {
  rejectUnknown(where === '' ? 'rateLimiter' : where, options, OPTION_KEYS)
  return {
    prefix: optString(named(where, 'prefix'), options.prefix, 'frp'),
    commandTimeout: normalizeCommandTimeout(options, where),
    onRedisError: optEnum(named(where, 'onRedisError'), options.onRedisError, ['throw', 'allow', 'deny'] as const, 'throw'),
    insurance: normalizeInsurance(options.insurance, named(where, 'insurance')),
    blockCache: normalizeBlockCache(options.blockCache, named(where, 'blockCache')),
    policies: options.policies === undefined ? null : normalizeRule(named(where, 'policies'), options.policies),
    batch: normalizeBatch(options.batch, named(where, 'batch'))
  }
}

/** `commandTimeout`, or its deprecated alias `timeout` (FRP_DEP001, once per process); not both. */
export function normalizeCommandTimeout (options: { commandTimeout?: Duration, timeout?: Duration }, where = ''): number {
  const timeout = named(where, 'timeout')
  const commandTimeout = named(where, 'commandTimeout')
  if (options.timeout !== undefined) {
    if (options.commandTimeout !== undefined) {
      throw invalid(timeout, `is the deprecated name of "${commandTimeout}": give "${commandTimeout}" only`)
    }
    timeoutDeprecated(timeout, commandTimeout)
    return optDuration(timeout, options.timeout, 1000, 1, 600_000)
  }
  return optDuration(commandTimeout, options.commandTimeout, 1000, 1, 600_000)
}

function normalizeInsurance (v: RateLimiterOptions['insurance'], name: string): NormalizedRateLimiterOptions['insurance'] {
  if (v === false) return null
  if (v !== undefined && (v === null || typeof v !== 'object')) throw invalid(name, 'must be false or { instances, maxKeys }')
  rejectUnknown(name, v, ['instances', 'maxKeys'])
  return {
    instances: optInt(`${name}.instances`, v?.instances, 1, 1, 100_000),
    maxKeys: optInt(`${name}.maxKeys`, v?.maxKeys, 10_000, 1)
  }
}

function normalizeBlockCache (v: RateLimiterOptions['blockCache'], name: string): NormalizedRateLimiterOptions['blockCache'] {
  if (v === false) return null
  if (v === undefined || v === true) return { maxKeys: 10_000 }
  if (v === null || typeof v !== 'object') throw invalid(name, 'must be a boolean or { maxKeys }')
  rejectUnknown(name, v, ['maxKeys'])
  return { maxKeys: optInt(`${name}.maxKeys`, v.maxKeys, 10_000, 1) }
}

function normalizeBatch (v: RateLimiterOptions['batch'], name: string): number {
  if (v === false) return 0
  if (v === undefined || v === true) return 64
  if (v === null || typeof v !== 'object') throw invalid(name, 'must be a boolean or { maxChecks }')
  rejectUnknown(name, v, ['maxChecks'])
  return optInt(`${name}.maxChecks`, v.maxChecks, 64, 1, 10_000)
}

// Policies are validated and normalized once, when a limiter rule or a route is set up, so the
// hot path only reads precomputed fields (script arguments, header strings).
import { invalid, optDuration, optEnum, optInt, optString, rejectUnknown, describe, type Duration } from '../shared/options.js'

export const kRule = Symbol('frp.rateLimit.rule')

export const ALGORITHMS = ['sliding-window', 'sliding-counter', 'gcra', 'fixed-window'] as const
export type Algorithm = typeof ALGORITHMS[number]

export interface RateLimitPolicyOptions {
  /** Units allowed per window (for `gcra`: the refill rate, `limit` per `window`). */
  limit: number
  /** Window length: ms or a duration string ('1s', '15 minutes'). */
  window: Duration
  /** Default 'sliding-window'. Every policy of one rule uses the same algorithm. */
  algorithm?: Algorithm
  /** `gcra` only: tokens that may accumulate (default `limit`). */
  burst?: number
  /** Name in the `RateLimit` / `RateLimit-Policy` headers (default `<limit>-per-<window>`). */
  name?: string
}

export interface RateLimitPolicy {
  readonly name: string
  readonly algorithm: Algorithm
  readonly limit: number
  readonly window: number
  readonly burst: number
  /** Hash field (or field stem) of this policy in a several-policy rule, and the tag of an unscoped one-policy key: derived from its parameters, so a changed policy never reads another's state. */
  readonly field: string
  /** `"name";q=..;w=..` for the RateLimit-Policy header. */
  readonly policyHeader: string
  /** `"name";r=` prefix of the RateLimit header. */
  readonly headerPrefix: string
}

/** A normalized set of policies checked together, atomically, in one script call. */
export interface RateLimitRule {
  readonly algorithm: Algorithm
  readonly policies: readonly RateLimitPolicy[]
  /** The per-policy script arguments, packed per algorithm (see the script headers). */
  readonly args: readonly string[]
  /** The largest cost any request may have (the smallest limit/burst). */
  readonly maxCost: number
  /** The RateLimit-Policy header value of every policy. */
  readonly policyHeader: string
  /**
   * The end of the rule's Redis key, after `<prefix>:rl:{<key>}:` (see KEY_LETTER): the
   * algorithm's letter; for one policy of gcra, fixed-window or sliding-counter, a string key,
   * followed by `/<field>` unless the rule is `scoped`; for several, a hash, `<letter>m`.
   */
  readonly suffix: string
  readonly [kRule]: true
}

/** The letter of each algorithm in its keys. */
export const KEY_LETTER: Record<Algorithm, string> = { 'sliding-window': 's', 'sliding-counter': 'c', gcra: 'g', 'fixed-window': 'f' }

/**
 * Every key suffix a rule without a policy tag may use (RateLimiter#reset deletes them all): each
 * algorithm's letter, and `<letter>m` for the several-policy hash of every algorithm but the
 * sliding-window log (its several policies share one log key). Derived from KEY_LETTER, so a new
 * algorithm cannot be missed by reset.
 */
export const UNTAGGED_SUFFIXES: readonly string[] = [
  ...Object.values(KEY_LETTER),
  ...Object.entries(KEY_LETTER).filter(([algorithm]) => algorithm !== 'sliding-window').map(([, letter]) => letter + 'm')
]

export interface RuleDefaults {
  algorithm?: Algorithm
  /**
   * The caller's key already names the rule (a plugin's counter scope: `global|`, a group, a
   * route), so a one-policy rule's Redis key carries no policy tag: one counter key per client,
   * as short as @fastify/rate-limit's (issue 22). A changed policy then continues the counts of
   * the old one. Unscoped (the core API), the policy is in the key: two different policies
   * checked on one key count apart.
   */
  scoped?: boolean
}

const POLICY_KEYS = ['limit', 'window', 'algorithm', 'burst', 'name'] as const
const MAX_WINDOW = 366 * 24 * 3600 * 1000
const MAX_LIMIT = 1_000_000_000

function windowLabel (ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

export function normalizePolicy (where: string, input: unknown, defaults: RuleDefaults = {}): RateLimitPolicy {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw invalid(where, `must be a policy object { limit, window }, got ${describe(input)}`)
  rejectUnknown(where, input, POLICY_KEYS)
  const o = input as Record<string, unknown>
  if (o.limit === undefined) throw invalid(`${where}.limit`, 'is required')
  if (o.window === undefined) throw invalid(`${where}.window`, 'is required')
  const limit = optInt(`${where}.limit`, o.limit, 0, 1, MAX_LIMIT)
  const window = optDuration(`${where}.window`, o.window, 0, 1, MAX_WINDOW)
  const algorithm = optEnum(`${where}.algorithm`, o.algorithm, ALGORITHMS, defaults.algorithm ?? 'sliding-window')
  if (o.burst !== undefined && algorithm !== 'gcra') throw invalid(`${where}.burst`, `applies to the 'gcra' algorithm only, not '${algorithm}'`)
  const burst = optInt(`${where}.burst`, o.burst, limit, 1, MAX_LIMIT)
  const name = optString(`${where}.name`, o.name, `${limit}-per-${windowLabel(window)}`)
  if (!/^[A-Za-z0-9_.:/-]+$/.test(name)) throw invalid(`${where}.name`, 'may contain only letters, digits and _ . : / -')
  const field = algorithm === 'gcra' ? `${limit}/${window}/${burst}` : `${limit}/${window}`
  const seconds = Math.max(1, Math.ceil(window / 1000))
  const quota = algorithm === 'gcra' ? burst : limit
  return {
    name,
    algorithm,
    limit,
    window,
    burst,
    field,
    policyHeader: `"${name}";q=${quota};w=${seconds}`,
    headerPrefix: `"${name}";r=`
  }
}

export function isRule (value: unknown): value is RateLimitRule {
  return typeof value === 'object' && value !== null && (value as { [kRule]?: true })[kRule] === true
}

/** Normalizes one policy or a list of policies (checked together) into a rule. */
export function normalizeRule (where: string, input: unknown, defaults: RuleDefaults = {}): RateLimitRule {
  if (isRule(input)) return input
  const list = Array.isArray(input) ? input : [input]
  if (list.length === 0) throw invalid(where, 'must list at least one policy')
  const policies = list.map((p, i) => normalizePolicy(Array.isArray(input) ? `${where}[${i}]` : where, p, defaults))
  const algorithm = policies[0].algorithm
  const fields = new Set<string>()
  for (let i = 0; i < policies.length; i++) {
    if (policies[i].algorithm !== algorithm) {
      throw invalid(`${where}[${i}].algorithm`, `every policy of one rule must use the same algorithm (checked atomically in one script); got '${policies[i].algorithm}' and '${algorithm}'`)
    }
    if (fields.has(policies[i].field)) throw invalid(`${where}[${i}]`, 'duplicates another policy of the rule')
    fields.add(policies[i].field)
  }
  const args: string[] = []
  let maxCost = Infinity
  for (const p of policies) {
    // Strings: ioredis would otherwise convert the numbers on every call. Each algorithm gets
    // only what its script reads, precomputed (fewer arguments for Redis to parse per call).
    if (algorithm === 'gcra') {
      // Emission interval and burst tolerance in microseconds.
      const interval = p.window * 1000 / p.limit
      args.push(String(interval), String(p.burst * interval), p.field)
    } else if (algorithm === 'sliding-window') {
      args.push(String(p.limit), String(p.window * 1000))
    } else {
      args.push(String(p.limit), String(p.window * 1000), p.field)
    }
    maxCost = Math.min(maxCost, algorithm === 'gcra' ? p.burst : p.limit)
  }
  const letter = KEY_LETTER[algorithm]
  const suffix = algorithm === 'sliding-window'
    ? letter
    : policies.length > 1 ? letter + 'm' : defaults.scoped === true ? letter : `${letter}/${policies[0].field}`
  return {
    algorithm,
    policies,
    args,
    maxCost,
    policyHeader: policies.map(p => p.policyHeader).join(', '),
    suffix,
    [kRule]: true
  }
}

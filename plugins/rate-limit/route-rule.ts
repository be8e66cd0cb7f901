// Route-level configuration (`config.rateLimit`) normalized into what the hook needs per
// request: the rule, the counter scope (global, group or route) and the key/cost functions.
// Framework-free: the request is opaque here.
import { invalid, optFunction, optInt, optString, describe } from '../../lib/shared/options.js'
import { normalizeRule, type RateLimitPolicyOptions, type RateLimitRule } from '../../lib/rate-limit/policy.js'
import { allowListMatcher } from '../../lib/rate-limit/ip.js'
import type { RouteCallback } from '../shared/route-request.js'

// Bivariant in the request (see RouteCallback): a callback typed with the route's own request is accepted.
export type KeyGenerator<Req> = RouteCallback<[request: Req], string>
export type CostFunction<Req> = RouteCallback<[request: Req], number>
export type AllowList<Req> = readonly string[] | RouteCallback<[request: Req, key: string], boolean>

export interface RouteRateLimitOptions<Req> {
  /** The policies of this route (default: the plugin's). */
  policies?: RateLimitPolicyOptions | RateLimitPolicyOptions[]
  /** Routes with the same group share their counters (and must declare the same policies). */
  group?: string
  keyGenerator?: KeyGenerator<Req>
  cost?: number | CostFunction<Req>
  allowList?: AllowList<Req>
}

/** `config.rateLimit`: false (not limited), one policy, a list of policies, or full options. */
// (One policy is the last member with none of the extras: a bare RateLimitPolicyOptions member
// would let a mistyped keyGenerator through, the union's excess-property check seeing it known.)
export type RouteRateLimit<Req> = false | RateLimitPolicyOptions[] |
  RouteRateLimitOptions<Req> | (RateLimitPolicyOptions & Omit<RouteRateLimitOptions<Req>, 'policies'>)

export interface Route<Req> {
  readonly rule: RateLimitRule
  /** Prefix of the rate-limit key: `global|`, `g:<group>|` or `r:<METHOD>:<url>|`. */
  readonly scope: string
  readonly keyGenerator: KeyGenerator<Req>
  /** A constant cost, or a function of the request. */
  readonly cost: number | CostFunction<Req>
  readonly allowList: ((request: Req, key: string) => boolean) | null
}

const EXTRA_KEYS = ['group', 'keyGenerator', 'cost', 'allowList'] as const
const POLICY_KEYS = ['limit', 'window', 'algorithm', 'burst', 'name']

/**
 * An allow list as one test per request. Array entries that are IP addresses or CIDR ranges match
 * the client address (`ipOf(request)`) in any spelling; the others are keys.
 */
export function normalizeAllowList<Req> (where: string, v: unknown, ipOf: (request: Req) => string): ((request: Req, key: string) => boolean) | null {
  if (v === undefined) return null
  if (typeof v === 'function') return v as (request: Req, key: string) => boolean
  if (!Array.isArray(v) || v.some(k => typeof k !== 'string')) throw invalid(where, `must be an array of keys, IP addresses and CIDR ranges, or a function (request, key) => boolean, got ${describe(v)}`)
  if (v.length === 0) return null
  const m = allowListMatcher(v as string[])
  if ('invalid' in m) throw invalid(`${where}[${m.invalid}]`, m.why)
  const { keys, ip } = m
  if (ip === null) return (_request, key) => keys.has(key)
  if (keys.size === 0) return request => ip(ipOf(request))
  return (request, key) => keys.has(key) || ip(ipOf(request))
}

export function normalizeCost<Req> (where: string, v: unknown, rule: RateLimitRule): number | CostFunction<Req> {
  if (typeof v === 'function') return v as CostFunction<Req>
  const cost = optInt(where, v, 1, 1)
  if (cost > rule.maxCost) throw invalid(where, `${cost} exceeds the smallest limit of the policies (${rule.maxCost}): no request could ever pass`)
  return cost
}

export interface RouteDefaults<Req> {
  rule: RateLimitRule | null
  keyGenerator: KeyGenerator<Req>
  cost: unknown
  allowList: ((request: Req, key: string) => boolean) | null
  /** The client address of a request, for allow-list entries that are addresses or ranges. */
  ipOf: (request: Req) => string
}

/**
 * Normalizes a route's `config.rateLimit`. Returns null when the route is not limited.
 * `groups` remembers each group's policies so routes of one group cannot disagree.
 */
export function normalizeRoute<Req> (where: string, input: unknown, routeId: string, defaults: RouteDefaults<Req>, groups: Map<string, string>): Route<Req> | null {
  if (input === false) return null
  if (input === null || typeof input !== 'object') throw invalid(where, `must be false, a policy, a list of policies or { policies, group, keyGenerator, cost, allowList }, got ${describe(input)}`)
  let policiesInput: unknown
  let policiesWhere = where
  const extras: Record<string, unknown> = {}
  if (Array.isArray(input)) {
    policiesInput = input
  } else {
    const o = input as Record<string, unknown>
    const policy: Record<string, unknown> = {}
    for (const k of Object.keys(o)) {
      if ((EXTRA_KEYS as readonly string[]).includes(k)) extras[k] = o[k]
      else if (k === 'policies') { policiesInput = o[k]; policiesWhere = `${where}.policies` } else if (POLICY_KEYS.includes(k)) policy[k] = o[k]
      else throw invalid(`${where}.${k}`, `unknown option (known: policies, ${[...EXTRA_KEYS, ...POLICY_KEYS].join(', ')})`)
    }
    if (Object.keys(policy).length > 0) {
      if (policiesInput !== undefined) throw invalid(where, 'give either policies or the fields of one policy, not both')
      policiesInput = policy
    }
  }
  // Scoped: the counter scope names the rule, so its Redis key needs no policy tag (one short key per client).
  const rule = policiesInput === undefined ? defaults.rule : normalizeRule(policiesWhere, policiesInput, { scoped: true })
  if (rule === null) throw invalid(where, 'declares no policies and the plugin has no default policies (limit/window or policies)')
  let scope = policiesInput === undefined ? 'global|' : `r:${routeId}|`
  if (extras.group !== undefined) {
    const group = optString(`${where}.group`, extras.group, '')
    const signature = rule.algorithm + ' ' + rule.policyHeader
    const known = groups.get(group)
    if (known !== undefined && known !== signature) throw invalid(`${where}.group`, `group "${group}" is already declared with other policies (${known}); routes of one group share counters and must declare the same policies`)
    groups.set(group, signature)
    scope = `g:${group}|`
  }
  return {
    rule,
    scope,
    keyGenerator: optFunction(`${where}.keyGenerator`, extras.keyGenerator, defaults.keyGenerator),
    cost: extras.cost === undefined ? normalizeCost(`${where}.cost`, defaults.cost, rule) : normalizeCost(`${where}.cost`, extras.cost, rule),
    allowList: extras.allowList === undefined ? defaults.allowList : normalizeAllowList(`${where}.allowList`, extras.allowList, defaults.ipOf)
  }
}

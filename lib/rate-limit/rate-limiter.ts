// RateLimiter: the framework-free core. One Lua script call per check (all policies of a rule,
// atomically, on one key) — or, for the counted checks of one-policy rules, one call per batch
// of the checks of an event-loop turn (per key and turn on a Cluster; check-batch.ts) —
// Redis TIME as the only clock, a bounded wait, a local block cache for rejected keys and an
// in-memory insurance limiter for when Redis is unavailable.
import { randomBytes } from 'node:crypto'
import { FRP_INVALID_KEY, FRP_RATE_LIMIT_STORE } from '../shared/errors.js'
import { escapeTag, keySpace } from '../shared/keys.js'
import { downError } from '../shared/connection.js'
import { isCluster, type RedisClient } from '../shared/client.js'
import { callPolicy, type Bound, type CallPolicy } from '../shared/call-policy.js'
import { TypedEmitter } from '../shared/events.js'
import { loadScripts, type RawScript } from '../shared/scripts.js'
import { invalid } from '../shared/options.js'
import { isRule, KEY_LETTER, normalizeRule, UNTAGGED_SUFFIXES, type Algorithm, type RateLimitRule } from './policy.js'
import type { RateLimitResult } from './result.js'
import { BlockCache } from './block-cache.js'
import { InsuranceLimiter } from './insurance.js'
import { CheckBatch, MAX_BATCH_COST, type Reply, type ReplyCallback } from './check-batch.js'
import type { DecisionSource, RateLimitDecision, RateLimiterEvents } from './events.js'
import { normalizeRateLimiterOptions, type NormalizedRateLimiterOptions, type PolicyInput, type RateLimiterOptions } from './options.js'

export type { PolicyInput, RateLimiterOptions } from './options.js'
export type { DecisionSource, RateLimitDecision, RateLimiterEvents } from './events.js'

const scripts = loadScripts<Algorithm | 'batch'>('rate-limit', new URL('.', import.meta.url))

/**
 * The key space's pattern name: short, since every client's key repeats it (issue 22: with the
 * plugin's `global|` scope, `frp:rl:{global|<ip>}:g` is no longer than @fastify/rate-limit's
 * `fastify-rate-limit-<ip>`).
 */
const PATTERN = 'rl'

/** Callback of hitFast's callback form. */
export type HitCallback = (err: Error | null, result?: RateLimitResult) => void
/** 2^23: the packed reply of the scripts' hot path is remaining * PACK + resetMs. */
const PACK = 8388608

export class RateLimiter extends TypedEmitter<RateLimiterEvents> {
  readonly redis: RedisClient
  readonly base: string
  /** The options, normalized. */
  readonly options: Readonly<NormalizedRateLimiterOptions>
  /** Longest wait for Redis per check, ms. */
  readonly commandTimeout: number
  readonly onRedisError: 'throw' | 'allow' | 'deny'
  readonly #insurance: InsuranceLimiter | null
  readonly #blocks: BlockCache | null
  readonly #defaultRule: RateLimitRule | null
  /**
   * The single script of each algorithm, written to the connection at once, never through ioredis
   * auto-pipelining (see scripts.bindRaw): auto-pipelining holds a call for another event-loop
   * turn and behind the pipeline still awaiting its replies, which under load cost the
   * one-call-per-check path 6-20% of its throughput (bench/RESULTS.md, rate-limit).
   */
  readonly #calls: Record<Algorithm, RawScript<Reply>>
  /** Batches hot-path checks; null when batching is off. */
  readonly #batch: CheckBatch | null
  /** Bounds each script call by commandTimeout (no timer when the client's own is as tight). */
  readonly #bound: Bound
  /** The call policy (bound and coded failures) of `commandTimeout`. */
  readonly #policy: CallPolicy
  readonly #uniq = randomBytes(6).toString('base64url') + '.'
  #seq = 0
  /** The rules checked here, and the policy-tagged key suffixes among theirs (reset() deletes those too). */
  readonly #seenRules = new WeakSet<RateLimitRule>()
  readonly #taggedSuffixes = new Set<string>()

  constructor (redis: RedisClient, options: RateLimiterOptions = {}) {
    super()
    const o = normalizeRateLimiterOptions(options)
    if (redis === null || typeof redis !== 'object' || typeof (redis as { defineCommand?: unknown }).defineCommand !== 'function') {
      throw invalid('redis', 'must be an ioredis Redis or Cluster client')
    }
    this.redis = redis
    this.options = Object.freeze(o)
    this.base = keySpace(o.prefix, PATTERN).base
    this.commandTimeout = o.commandTimeout
    this.onRedisError = o.onRedisError
    this.#insurance = o.insurance === null ? null : new InsuranceLimiter(o.insurance.instances, o.insurance.maxKeys)
    this.#blocks = o.blockCache === null ? null : new BlockCache(o.blockCache.maxKeys)
    this.#defaultRule = o.policies
    if (o.policies !== null) this.#remember(o.policies)
    this.#calls = singleScripts(redis)
    this.#policy = callPolicy(redis, this.commandTimeout)
    this.#bound = this.#policy.bound
    this.#batch = o.batch === 0
      ? null
      : new CheckBatch(redis, scripts.bindRaw<Reply[]>(redis, 'batch', { direct: true }), {
        max: o.batch,
        bound: this.#bound,
        perKey: isCluster(redis),
        uniquePrefix: () => this.#member() + '.',
        sendOne: (key, rule, cost, done) => { this.#sendOne(key, rule, cost, done) }
      })
  }

  /** @deprecated since 0.2: use `commandTimeout`. */
  get timeout (): number {
    return this.commandTimeout
  }

  /** Whether hot-path checks are batched (the `batch` option). */
  get batching (): boolean {
    return this.#batch !== null
  }

  /** Normalizes policies once; pass the rule to hit()/peek() to skip validation on every call. */
  rule (policies: PolicyInput): RateLimitRule {
    return this.#remember(normalizeRule('policies', policies))
  }

  /** Notes a policy-tagged key suffix of `rule` for reset(). */
  #remember (rule: RateLimitRule): RateLimitRule {
    if (!this.#seenRules.has(rule)) {
      this.#seenRules.add(rule)
      if (!UNTAGGED_SUFFIXES.includes(rule.suffix)) this.#taggedSuffixes.add(rule.suffix)
    }
    return rule
  }

  /** Counts a request of `cost` against every policy of `rule` for `key`, if all of them allow it. */
  hit (key: string, rule?: PolicyInput, cost = 1): Promise<RateLimitResult> {
    return this.#check(key, rule, cost, true)
  }

  /** What hit() would answer, without counting anything. */
  peek (key: string, rule?: PolicyInput, cost = 1): Promise<RateLimitResult> {
    return this.#check(key, rule, cost, false)
  }

  /**
   * Forgets every count of `key`, here and in Redis: under every algorithm, for scoped rules and
   * several-policy rules, and for the one-policy rules this limiter has checked or made (their
   * keys name the policy).
   */
  async reset (key: string): Promise<void> {
    const tagged = this.#tagged(key)
    const suffixes = [...UNTAGGED_SUFFIXES, ...this.#taggedSuffixes]
    for (const s of suffixes) {
      this.#blocks?.delete(tagged + s)
      this.#insurance?.clear(tagged + s)
    }
    try {
      await this.#bound(this.redis.del(...suffixes.map(s => tagged + s)))
    } catch (err) {
      throw this.#storeError(err)
    }
  }

  /**
   * The Redis key holding the state of `key` under `rule`; given an algorithm, the key of a scoped
   * one-policy rule of it (the plugin's hook keys).
   */
  keyOf (key: string, rule: Algorithm | PolicyInput): string {
    if (typeof rule === 'string') return this.#tagged(key) + KEY_LETTER[rule]
    return this.#tagged(key) + (isRule(rule) ? rule : normalizeRule('policies', rule)).suffix
  }

  #tagged (key: string): string {
    if (typeof key !== 'string' || key.length === 0) throw new FRP_INVALID_KEY(String(key), 'a rate-limit key must be a non-empty string')
    return this.base + ':{' + escapeTag(key) + '}:'
  }

  /**
   * hit() for hot paths: a key in the local block cache is answered synchronously (no promise,
   * no microtask), anything else returns the promise of hit(). With `done`, nothing is returned
   * and the result goes to `done` (synchronously for a cached rejection): the script call's own
   * promise is then the only one.
   */
  hitFast (key: string, rule: RateLimitRule, cost: number): RateLimitResult | Promise<RateLimitResult>
  hitFast (key: string, rule: RateLimitRule, cost: number, done: HitCallback): void
  hitFast (key: string, rule: RateLimitRule, cost: number, done?: HitCallback): RateLimitResult | Promise<RateLimitResult> | undefined {
    let redisKey: string
    try {
      redisKey = this.#tagged(key) + rule.suffix
    } catch (err) {
      if (done === undefined) throw err
      done(err as Error)
      return
    }
    if (this.#blocks !== null && this.#blocks.size > 0) {
      const blocked = this.#blocks.get(redisKey, cost)
      if (blocked !== undefined) {
        if (this.listenerCount('decision') > 0) this.#decided(key, blocked, true, 'block-cache')
        if (done === undefined) return blocked
        done(null, blocked)
        return
      }
    }
    if (!Number.isInteger(cost) || cost < 1) {
      const err = invalid('cost', `must be a positive integer, got ${String(cost)}`)
      if (done === undefined) return Promise.reject(err)
      done(err)
      return
    }
    // Not through the async #check: one promise layer (the script call's .then) instead of three.
    // Observed (a 'decision' listener): one more layer, only then.
    const observed = this.listenerCount('decision') > 0
    if (done === undefined) {
      const p = this.#send(redisKey, rule, cost, true)
      return observed ? p.then(r => this.#decided(key, r, true)) : p
    }
    if (observed) {
      const inner = done
      done = (err, result) => {
        if (err === null) this.#decided(key, result as RateLimitResult, true)
        inner(err, result)
      }
    }
    this.#sendTo(redisKey, rule, cost, done)
  }

  /** Emits 'decision' for `result` (`source`: derived from the result unless given); returns `result`. */
  #decided (key: string, result: RateLimitResult, counted: boolean, source?: DecisionSource): RateLimitResult {
    const from = source ?? (!result.degraded
      ? 'redis'
      : this.onRedisError === 'deny' ? 'fail-closed' : this.#insurance !== null ? 'insurance' : 'fail-open')
    this.emit('decision', { key, allowed: result.allowed, counted, source: from, policy: result.policy, result } satisfies RateLimitDecision)
    return result
  }

  /**
   * A failed Redis call as FRP_RATE_LIMIT_STORE (503), its `cause` the coded error of the call
   * policy (FRP_REDIS_TIMEOUT, FRP_REDIS_UNAVAILABLE, ...); 'error' if listened to.
   */
  #storeError (err: unknown): Error {
    const coded = this.#policy.coded(err)
    const e = new FRP_RATE_LIMIT_STORE(coded.message, { cause: coded })
    if (this.listenerCount('error') > 0) this.emit('error', e)
    return e
  }

  async #check (key: string, ruleInput: PolicyInput | undefined, cost: number, consume: boolean): Promise<RateLimitResult> {
    const rule = ruleInput === undefined ? this.#defaultRule : isRule(ruleInput) ? ruleInput : normalizeRule('policies', ruleInput)
    if (rule === null) throw invalid('policies', 'no policies given and no default policies configured')
    if (!Number.isInteger(cost) || cost < 1) throw invalid('cost', `must be a positive integer, got ${String(cost)}`)
    this.#remember(rule)
    const redisKey = this.#tagged(key) + rule.suffix
    if (consume && this.#blocks !== null) {
      const blocked = this.#blocks.get(redisKey, cost)
      if (blocked !== undefined) return this.listenerCount('decision') > 0 ? this.#decided(key, blocked, true, 'block-cache') : blocked
    }
    const result = await this.#send(redisKey, rule, cost, consume)
    return this.listenerCount('decision') > 0 ? this.#decided(key, result, consume) : result
  }

  /** The script call for `redisKey`, its reply turned into a result; failures go to the failure policy. */
  #send (redisKey: string, rule: RateLimitRule, cost: number, consume: boolean): Promise<RateLimitResult> {
    if (consume && this.#batched(rule, cost)) {
      return new Promise((resolve, reject) => {
        this.#enqueue(redisKey, rule, cost, (err, result) => { if (err === null) resolve(result as RateLimitResult); else reject(err) })
      })
    }
    try {
      return this.#invoke(redisKey, rule, cost, consume,
        reply => this.#result(redisKey, rule, cost, consume, reply),
        err => this.#degrade(redisKey, rule, cost, consume, err))
    } catch (err) {
      try {
        return Promise.resolve(this.#degrade(redisKey, rule, cost, consume, err))
      } catch (e) {
        return Promise.reject(e)
      }
    }
  }

  /** #send with a callback: the script call's promise is the only one. */
  #sendTo (redisKey: string, rule: RateLimitRule, cost: number, done: HitCallback): void {
    if (this.#batched(rule, cost)) this.#enqueue(redisKey, rule, cost, done)
    else this.#sendOne(redisKey, rule, cost, (err, reply) => { this.#answer(redisKey, rule, cost, err, reply, done) })
  }

  /** Whether a counted check goes through the batch: a one-policy rule and a cost the batch can carry exactly. */
  #batched (rule: RateLimitRule, cost: number): boolean {
    return this.#batch !== null && rule.policies.length === 1 && cost <= MAX_BATCH_COST
  }

  /** Queues a counted check in the batch; its reply or error is turned into a result as on the single path. */
  #enqueue (redisKey: string, rule: RateLimitRule, cost: number, done: HitCallback): void {
    // A connection that cannot answer fails at once, as on the single path (no turn in the queue).
    const down = downError(this.redis)
    if (down !== null) {
      this.#answer(redisKey, rule, cost, down, undefined, done)
      return
    }
    (this.#batch as CheckBatch).add(redisKey, rule, cost, (err, reply) => { this.#answer(redisKey, rule, cost, err, reply, done) })
  }

  /** A counted check by its single script (alone, or a batch of one); its raw reply or error to `done`. */
  #sendOne (redisKey: string, rule: RateLimitRule, cost: number, done: ReplyCallback): void {
    try {
      this.#invoke(redisKey, rule, cost, true, reply => { done(null, reply) }, err => { done(err) })
    } catch (err) {
      done(err)
    }
  }

  /**
   * The script call with its NOSCRIPT recovery, its reply to `onReply` and its failure to
   * `onError`; throws when it cannot be sent (connection down). NOSCRIPT rides on the failure
   * handler, so a call that finds the script cached (all but the first after a Redis restart)
   * costs no promise beyond the command's own.
   */
  #invoke<T> (redisKey: string, rule: RateLimitRule, cost: number, consume: boolean, onReply: (reply: Reply) => T, onError: (err: unknown) => T): Promise<T> {
    return this.#call(redisKey, rule, cost, consume).then(onReply, err => this.#retry(err, redisKey, rule, cost, consume).then(onReply, onError))
  }

  /**
   * A counted check's outcome to `done`: its reply as a result, or its error through the failure
   * policy (an error doing either goes to `done` too).
   */
  #answer (redisKey: string, rule: RateLimitRule, cost: number, err: unknown, reply: Reply | undefined, done: HitCallback): void {
    let result: RateLimitResult
    try {
      result = err === null ? this.#result(redisKey, rule, cost, true, reply as Reply) : this.#degrade(redisKey, rule, cost, true, err)
    } catch (e) {
      done(e as Error)
      return
    }
    done(null, result)
  }

  /** A sliding-window log member unique to this call among all processes (plus "." it prefixes a batch's members). */
  #member (): string {
    return this.#uniq + (this.#seq++).toString(36)
  }

  /** The script call, bounded by the timeout; throws when the connection is down. */
  #call (redisKey: string, rule: RateLimitRule, cost: number, consume: boolean): Promise<Reply> {
    const down = downError(this.redis)
    if (down !== null) throw down
    const signed = signedCost(cost, consume)
    const script = this.#calls[rule.algorithm].call
    // rule.args goes as an array: ioredis flattens command arguments, so no spread per call.
    const call = rule.algorithm === 'sliding-window'
      ? script(redisKey, signed, this.#member(), rule.args)
      : script(redisKey, signed, rule.args)
    return this.#bound(call)
  }

  /** After #call failed with `err`: the script by EVAL when `err` is NOSCRIPT, else a rejection with `err`. */
  #retry (err: unknown, redisKey: string, rule: RateLimitRule, cost: number, consume: boolean): Promise<Reply> {
    const signed = signedCost(cost, consume)
    const recover = this.#calls[rule.algorithm].recover
    const call = rule.algorithm === 'sliding-window'
      ? recover(err, redisKey, signed, this.#member(), rule.args)
      : recover(err, redisKey, signed, rule.args)
    return this.#bound(call)
  }

  #result (redisKey: string, rule: RateLimitRule, cost: number, consume: boolean, reply: number[] | number): RateLimitResult {
    if (typeof reply === 'number') {
      // The hot path's packed reply (see _hot-path.lua): allowed, one policy, remaining * 2^23 + resetMs.
      const policy = rule.policies[0]
      const remaining = Math.floor(reply / PACK)
      return {
        allowed: true,
        limit: rule.algorithm === 'gcra' ? policy.burst : policy.limit,
        remaining,
        resetMs: reply - remaining * PACK,
        retryAfterMs: 0,
        policy,
        degraded: false
      }
    }
    const policy = rule.policies[reply[1] - 1]
    const result: RateLimitResult = {
      allowed: reply[0] === 1,
      limit: rule.algorithm === 'gcra' ? policy.burst : policy.limit,
      remaining: reply[2],
      resetMs: reply[3],
      retryAfterMs: reply[4],
      policy,
      degraded: false
    }
    if (!result.allowed && consume && this.#blocks !== null && result.retryAfterMs > 0) this.#blocks.set(redisKey, cost, result)
    return result
  }

  #degrade (redisKey: string, rule: RateLimitRule, cost: number, consume: boolean, err: unknown): RateLimitResult {
    const e = this.#storeError(err)
    if (this.onRedisError === 'throw') throw e
    const p = rule.policies[0]
    const limit = rule.algorithm === 'gcra' ? p.burst : p.limit
    if (this.onRedisError === 'deny') {
      return { allowed: false, limit, remaining: 0, resetMs: 1000, retryAfterMs: 1000, policy: p, degraded: true }
    }
    if (this.#insurance !== null) return this.#insurance.hit(redisKey, rule, cost, consume)
    return { allowed: true, limit, remaining: limit, resetMs: 0, retryAfterMs: 0, policy: p, degraded: true }
  }
}

/** The single script of each algorithm on `redis`, written to the connection at once (see scripts.bindRaw). */
function singleScripts (redis: RedisClient): Record<Algorithm, RawScript<Reply>> {
  const direct = { direct: true }
  return {
    'sliding-window': scripts.bindRaw<Reply>(redis, 'sliding-window', direct),
    'sliding-counter': scripts.bindRaw<Reply>(redis, 'sliding-counter', direct),
    gcra: scripts.bindRaw<Reply>(redis, 'gcra', direct),
    'fixed-window': scripts.bindRaw<Reply>(redis, 'fixed-window', direct)
  }
}

/** The script argument carrying both cost and mode: a negative cost peeks. */
function signedCost (cost: number, consume: boolean): string {
  return consume ? (cost === 1 ? '1' : String(cost)) : String(-cost)
}

// CheckBatch: coalesces the counted one-policy checks (every algorithm) of one event-loop
// turn into ONE script call (batch-n.lua): one ioredis command, one timer, one EVALSHA and one
// Redis TIME for the whole batch instead of per check. That per-command fixed cost, not our own
// JavaScript, was what kept the hot path below the anchor; a batch evaluates its checks in order
// inside one atomic script, so each check answers exactly what it would have answered alone.
//
// Flushed by setImmediate, not process.nextTick: requests of one poll phase arrive in separate
// I/O callbacks and nextTick runs between each of them, so it would mostly flush batches of one.
// A batch also flushes as soon as it holds `max` checks, which bounds the script's run time.
// On a Cluster client the keys of one script call must hash to one slot, so a turn's checks go
// as one call per key there (a hot key still shares one call; lone keys go as single scripts).
//
// The call is compact because its size is paid per check on both sides (ioredis builds every
// argument into the command, Redis parses each): each distinct rule's arguments go once per
// batch, each check adds its key and ONE argument (cost and rule index in one number), and the
// sliding-window members are made in the script from one per-batch prefix.
//
// A batch of one check goes as that check's single script instead (`sendOne`): batch-n.lua's
// fixed cost (its helpers for every algorithm, the rule table, per-key state) is about twice a
// single script's, so under light load, where turns hold one check, batching would cost Redis
// more than it saves.
import type { Bound } from '../shared/call-policy.js'
import { downError, type RedisClient } from '../shared/connection.js'
import type { RawScript } from '../shared/scripts.js'
import type { Algorithm, RateLimitRule } from './policy.js'

/** One check's reply, as its single script would give it (see _hot-path.lua). */
export type Reply = number[] | number
export type ReplyCallback = (err: unknown, reply?: Reply) => void
/** Sends one counted check by its single script, sent at once like a batch; the reply or error goes to `done`. */
export type SendOne = (key: string, rule: RateLimitRule, cost: number, done: ReplyCallback) => void

/** A check's script argument is cost * RULES + rule index: rule indexes stay below it (maxChecks <= 10,000). */
const RULES = 16384
/** The largest cost a batch can carry exactly (cost * RULES + index below 2^53); beyond, a check goes alone. */
export const MAX_BATCH_COST = Math.floor(Number.MAX_SAFE_INTEGER / RULES) - 1

/** How batch-n.lua names each algorithm. */
const KIND: Record<Algorithm, string> = { gcra: 'g', 'sliding-window': 's', 'fixed-window': 'f', 'sliding-counter': 'c' }

/** The checks of one turn, as queued. */
interface Queue {
  keys: string[]
  costs: number[]
  /** Per check, the index of its rule in `rules`. */
  ruleIndex: number[]
  done: ReplyCallback[]
  /** The distinct rules of the checks, in first-use order. */
  rules: RateLimitRule[]
}

const emptyQueue = (): Queue => ({ keys: [], costs: [], ruleIndex: [], done: [], rules: [] })

export class CheckBatch {
  readonly max: number
  readonly #redis: RedisClient
  readonly #script: RawScript<Reply[]>
  /** Bounds each batch's wait (the limiter's timeout). */
  readonly #bound: Bound
  /** A string no other batch or call of any process uses, to prefix this batch's log members. */
  readonly #uniquePrefix: () => string
  readonly #sendOne: SendOne
  /** Cluster: one script call per key (its keys must share a slot), not one per turn. */
  readonly #perKey: boolean
  #queue: Queue = emptyQueue()
  #scheduled = false

  constructor (redis: RedisClient, script: RawScript<Reply[]>, options: { max: number, bound: Bound, perKey: boolean, uniquePrefix: () => string, sendOne: SendOne }) {
    this.#redis = redis
    this.#script = script
    this.max = options.max
    this.#bound = options.bound
    this.#perKey = options.perKey
    this.#uniquePrefix = options.uniquePrefix
    this.#sendOne = options.sendOne
  }

  /** Queues a counted check of a one-policy `rule`. */
  add (key: string, rule: RateLimitRule, cost: number, done: ReplyCallback): void {
    const q = this.#queue
    const rules = q.rules
    let index = rules.length > 0 && rules[0] === rule ? 0 : rules.indexOf(rule)
    if (index === -1) index = rules.push(rule) - 1
    q.keys.push(key)
    q.costs.push(cost)
    q.ruleIndex.push(index)
    q.done.push(done)
    if (q.done.length >= this.max) {
      this.#flush()
    } else if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(this.#onImmediate)
    }
  }

  readonly #onImmediate = (): void => {
    this.#scheduled = false
    if (this.#queue.done.length > 0) this.#flush()
  }

  #flush (): void {
    const q = this.#queue
    this.#queue = emptyQueue()
    if (!this.#perKey) {
      this.#send(q, q.keys.map((_, i) => i))
      return
    }
    const groups = new Map<string, number[]>()
    for (let i = 0; i < q.keys.length; i++) {
      const group = groups.get(q.keys[i])
      if (group === undefined) groups.set(q.keys[i], [i])
      else group.push(i)
    }
    for (const group of groups.values()) this.#send(q, group)
  }

  /** Sends the checks `indices` of `q` as one call. */
  #send (q: Queue, indices: number[]): void {
    if (indices.length === 1) {
      const i = indices[0]
      this.#sendOne(q.keys[i], q.rules[q.ruleIndex[i]], q.costs[i], (err, reply) => { settle(q.done[i], err, reply) })
      return
    }
    const keys = indices.map(i => q.keys[i])
    const done = indices.map(i => q.done[i])
    const argv = [this.#uniquePrefix(), String(q.rules.length)]
    for (const rule of q.rules) argv.push(KIND[rule.algorithm], ...rule.args)
    // Per check: cost * RULES + its rule's 1-based index.
    for (const i of indices) argv.push(String(q.costs[i] * RULES + q.ruleIndex[i] + 1))
    let call: Promise<Reply[]>
    try {
      const down = downError(this.#redis)
      if (down !== null) throw down
      call = this.#bound(this.#script.call(keys.length, keys, argv))
    } catch (err) {
      fail(done, err)
      return
    }
    const deliver = (replies: Reply[]): void => {
      for (let i = 0; i < done.length; i++) settle(done[i], null, replies[i])
    }
    // NOSCRIPT (an empty script cache) re-sends the batch once by EVAL, as the single path does.
    call.then(deliver, err => {
      this.#bound(this.#script.recover(err, keys.length, keys, argv)).then(deliver, e => { fail(done, e) })
    })
  }
}

/** Every check of a failed batch gets the batch's error: the failure policy then applies per check. */
function fail (done: ReplyCallback[], err: unknown): void {
  for (const cb of done) settle(cb, err)
}

/** Calls one check's callback; a throwing callback must not keep the others from their answers. */
function settle (cb: ReplyCallback, err: unknown, reply?: Reply): void {
  try {
    cb(err, reply)
  } catch (e) {
    process.nextTick(() => { throw e })
  }
}

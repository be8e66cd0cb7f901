// CheckBatch: coalesces the counted one-policy checks (gcra, sliding-window) of one event-loop
// turn into ONE script call (batch-n.lua): one ioredis command, one timer, one EVALSHA and one
// Redis TIME for the whole batch instead of per check. That per-command fixed cost, not our own
// JavaScript, was what kept the hot path below the anchor; a batch evaluates its checks in order
// inside one atomic script, so each check answers exactly what it would have answered alone.
//
// Flushed by setImmediate, not process.nextTick: requests of one poll phase arrive in separate
// I/O callbacks and nextTick runs between each of them, so it would mostly flush batches of one.
// A batch also flushes as soon as it holds `max` checks, which bounds the script's run time.
// Standalone clients only: the keys of one script call must hash to one Cluster slot.
import { downError, withTimeout } from '../shared/connection.js'
import type { RawScript, RedisClient } from '../shared/scripts.js'

/** One check's reply, as its single script would give it (see _hot-path.lua). */
export type Reply = number[] | number
export type ReplyCallback = (err: unknown, reply?: Reply) => void

export class CheckBatch {
  readonly max: number
  readonly #redis: RedisClient
  readonly #script: RawScript<Reply[]>
  /** Our own timer per batch, or 0 when the client's commandTimeout already bounds the wait. */
  readonly #timeout: number
  #keys: string[] = []
  #argv: string[] = []
  #done: ReplyCallback[] = []
  #scheduled = false

  constructor (redis: RedisClient, script: RawScript<Reply[]>, max: number, timeout: number) {
    this.#redis = redis
    this.#script = script
    this.max = max
    this.#timeout = timeout
  }

  /** Queues a counted gcra check (`args`: interval, tolerance, field). */
  gcra (key: string, cost: string, args: readonly string[], done: ReplyCallback): void {
    this.#argv.push('g', cost, args[0], args[1], args[2])
    this.#add(key, done)
  }

  /** Queues a counted sliding-window check (`args`: limit, window). */
  slidingWindow (key: string, cost: string, member: string, args: readonly string[], done: ReplyCallback): void {
    this.#argv.push('s', cost, member, args[0], args[1])
    this.#add(key, done)
  }

  #add (key: string, done: ReplyCallback): void {
    this.#keys.push(key)
    this.#done.push(done)
    if (this.#done.length >= this.max) {
      this.#flush()
    } else if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(this.#onImmediate)
    }
  }

  readonly #onImmediate = (): void => {
    this.#scheduled = false
    if (this.#done.length > 0) this.#flush()
  }

  #flush (): void {
    const keys = this.#keys
    const argv = this.#argv
    const done = this.#done
    this.#keys = []
    this.#argv = []
    this.#done = []
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

  #bound (call: Promise<Reply[]>): Promise<Reply[]> {
    return this.#timeout > 0 ? withTimeout(call, this.#timeout) : call
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

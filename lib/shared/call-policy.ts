// The one Redis call policy of every pattern: how a wait on Redis is bounded (`Bound`, made once
// per core by boundFor) and how a failed call becomes a coded error (redisError). A core bounds
// each call, then translates its failure, and may wrap the coded error in its own (the session's
// FRP_SESSION_UNAVAILABLE, the rate limiter's FRP_RATE_LIMIT_STORE) with it as the `cause`.
import { FRP_REDIS_ERROR, FRP_REDIS_TIMEOUT, FRP_REDIS_UNAVAILABLE, FRP_SCRIPT_ERROR, isFrpError } from './errors.js'
import { isCluster, type RedisClient } from './client.js'

/** Bounds one Redis wait: settles like `p`, or rejects with FRP_REDIS_TIMEOUT (see boundFor). */
export type Bound = <T>(p: Promise<T>) => Promise<T>

/**
 * Resolves or rejects with `promise`, but rejects with FRP_REDIS_TIMEOUT after `ms` if it has not
 * settled: one timer per call, for waits that are not on a hot path (startup checks, flushes).
 */
export function withTimeout<T> (promise: Promise<T>, ms: number): Promise<T> {
  if (!(ms > 0) || ms === Infinity) return promise
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new FRP_REDIS_TIMEOUT(ms)), ms)
    promise.then(v => { clearTimeout(timer); resolve(v) }, e => { clearTimeout(timer); reject(e) })
  })
}

/**
 * The per-command timeout the client itself enforces on every command, or undefined. Only a
 * standalone client counts: ioredis arms `commandTimeout` in Redis#sendCommand, which covers
 * commands queued while offline, but a Cluster queues commands in its own offline queue (while
 * it connects or refreshes slots) before any node sees them, so they wait with no timer at all.
 */
export function clientCommandTimeout (redis: RedisClient): number | undefined {
  if (isCluster(redis)) return undefined
  const ms = (redis as { options?: { commandTimeout?: number } }).options?.commandTimeout
  return typeof ms === 'number' && ms > 0 ? ms : undefined
}

/**
 * The timer a caller bounding each Redis wait by `ms` must still arm itself: `ms`, or 0 when the
 * client's own commandTimeout already fails every command within `ms`.
 */
export function ownTimeout (redis: RedisClient, ms: number): number {
  const own = clientCommandTimeout(redis)
  return own !== undefined && own <= ms ? 0 : ms
}

/** What a call bounded by `ms` on `redis` waits at most: the client's own timeout when it is shorter. */
export function effectiveTimeout (redis: RedisClient, ms: number): number {
  return Math.min(clientCommandTimeout(redis) ?? Infinity, ms)
}

/**
 * A core's whole call policy, made once from its client and its `commandTimeout`: the bound of
 * each call, and the translation of a failure with the timeout the call really had (the client's
 * own when it is the tighter one), so no core derives either on its own.
 */
export interface CallPolicy {
  readonly bound: Bound
  /** What a call waits at most, ms. */
  readonly timeoutMs: number
  /** `redisError` with this policy's timeout. */
  coded (err: unknown, call?: FailedCall): Error
  /** Throws `coded(err)`: a ready-made rejection handler (`.then(ok, policy.fail)`). */
  readonly fail: (err: unknown) => never
}

export function callPolicy (redis: RedisClient, ms: number): CallPolicy {
  const timeoutMs = effectiveTimeout(redis, ms)
  const coded = (err: unknown, call?: FailedCall): Error => redisError(err, timeoutMs, call)
  return { bound: boundFor(redis, ms), timeoutMs, coded, fail: err => { throw coded(err) } }
}

const unbounded: Bound = p => p

/**
 * How a pattern bounds each Redis wait by `ms`. No timer at all when the client's own
 * commandTimeout already fails every command within `ms` (see ownTimeout); otherwise the deadline
 * queue of `ms`, which rejects a call with FRP_REDIS_TIMEOUT between `ms` and
 * `ms + max(5, ms / 8)` after it started. A Bound only times out: other failures pass through
 * unchanged, for redisError.
 */
export function boundFor (redis: RedisClient, ms: number): Bound {
  if (!(ms > 0) || ms === Infinity || ownTimeout(redis, ms) === 0) return unbounded
  let bound = queues.get(ms)
  if (bound === undefined) queues.set(ms, (bound = deadlineQueue(ms)))
  return bound
}

// --- the deadline queue ------------------------------------------------------------------------
// Cheaper than a setTimeout per call (a leaderboard's or a session's hot path runs tens of
// thousands of times a second). Every call of one queue has the same timeout, so deadlines arrive
// in the order calls start: a FIFO scanned by one coarse, unref'd interval timer is enough. One
// queue per distinct `ms` in the process, shared by every core bounded by it.

interface Pending {
  deadline: number
  done: boolean
  reject: (err: Error) => void
}

const queues = new Map<number, Bound>()

function deadlineQueue (ms: number): Bound {
  let queue: Pending[] = []
  let head = 0
  let timer: NodeJS.Timeout | null = null
  const every = Math.max(5, Math.ceil(ms / 8))

  function sweep (): void {
    const now = performance.now()
    while (head < queue.length) {
      const p = queue[head]
      if (!p.done) {
        if (p.deadline > now) break
        p.done = true
        p.reject(new FRP_REDIS_TIMEOUT(ms))
      }
      head++
    }
    if (head === queue.length) {
      queue = []
      head = 0
      clearInterval(timer!)
      timer = null
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head)
      head = 0
    }
  }

  return function bound<T> (promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { deadline: performance.now() + ms, done: false, reject }
      queue.push(p)
      if (timer === null) {
        timer = setInterval(sweep, every)
        timer.unref()
      }
      promise.then(v => {
        if (p.done) return
        p.done = true
        resolve(v)
      }, err => {
        if (p.done) return
        p.done = true
        reject(err)
      })
    })
  }
}

// --- failures ------------------------------------------------------------------------------------

// The error code opens the reply ("OOM command not allowed ..."); Redis < 7 wraps an error raised
// inside a script ("ERR Error running script ...: @user_script:12: -OOM command not allowed ...").
// ASK and MOVED: a Cluster slot moving or moved (a redirection ioredis could not follow, e.g.
// inside an auto-pipelined batch): not executed, so a 503 to retry, never a 500. UNBLOCKED: a
// blocking pop ended by its master turning into a replica (a failover).
const REFUSED = /(?:^|: -)(?:OOM|READONLY|LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|ASK|MOVED|UNBLOCKED|MISCONF|NOREPLICAS)\b/

/**
 * True for a reply in which Redis refuses to serve now (out of memory under maxmemory, a read-only
 * replica after a failover, loading its data, busy with a script, cluster down, a slot being
 * migrated or moved, a blocking pop unblocked by a failover, unable to persist, too few
 * replicas): retrying later may succeed.
 */
export function isRefusal (message: string): boolean {
  return REFUSED.test(message)
}

/** What failed, for the error of a reply that is not a refusal: a script by name, or a command. */
export type FailedCall = { script: string } | { command: string }

/**
 * The one translation of a failed Redis call into a coded error, with the original as `cause`:
 *   - coded errors (the bound's FRP_REDIS_TIMEOUT, ...) pass through;
 *   - ioredis's own commandTimeout ("Command timed out") is FRP_REDIS_TIMEOUT (`ms`: the call's bound);
 *   - a refusal (see isRefusal) and any connection failure (Redis down, retries exhausted,
 *     connection closed, "Too many Cluster redirections") is FRP_REDIS_UNAVAILABLE (503);
 *   - any other reply error (a wrong-type key: a bug or a corrupted key) is a 500:
 *     FRP_SCRIPT_ERROR naming the script, or FRP_REDIS_ERROR naming the command.
 */
export function redisError (err: unknown, ms?: number, call?: FailedCall): Error {
  if (isFrpError(err)) return err
  const e = err as { name?: unknown, message?: unknown, command?: { name?: unknown } } | null | undefined
  const message = typeof e?.message === 'string' ? e.message : String(err)
  if (e?.name !== 'ReplyError') {
    if (message === 'Command timed out') return new FRP_REDIS_TIMEOUT(ms ?? '?', { cause: err })
    return new FRP_REDIS_UNAVAILABLE(message, { cause: err })
  }
  if (isRefusal(message)) return new FRP_REDIS_UNAVAILABLE(message, { cause: err })
  if (call !== undefined && 'script' in call) return new FRP_SCRIPT_ERROR(call.script, message, { cause: err })
  const command = call?.command ?? (typeof e.command?.name === 'string' ? e.command.name.toUpperCase() : 'unknown')
  return new FRP_REDIS_ERROR(command, message, { cause: err })
}

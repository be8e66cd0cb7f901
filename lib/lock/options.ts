// Options of the lock core, checked and normalized once (per Locker, and per call when a call
// passes its own), so the hot path reads plain numbers.
import { invalid, optBool, optDuration, optInt, optNumber, optString, rejectUnknown, type Duration } from '../shared/options.js'

export interface RetryOptions {
  /**
   * Upper bound (ms) of the random delay added to every fallback wake-up, so waiters that wake at
   * the same lock expiry do not retry in lockstep. Default 25. Ms or a duration string.
   */
  jitter?: Duration
  /**
   * Longest sleep (ms) between two attempts when no release notification can arrive (subscriber
   * down, or the holder's key has no expiry). Default 1000. Ms or a duration string.
   */
  maxDelay?: Duration
}

export interface LockerOptions {
  /** Global key prefix (keys are `prefix:lock:{key}`). Default 'frp'. */
  prefix?: string
  /** Default lease TTL: ms or a duration string ('30s'). Default 30_000. */
  ttl?: Duration
  /** Default longest wait of `acquire`/`using` for a held lock: ms or a duration string. Default 10_000. */
  waitTimeout?: Duration
  /**
   * Fraction of the TTL that must still be valid when an acquisition returns; a slower
   * acquisition is released and counted as not acquired. Default 0.5.
   */
  minValidity?: number
  /** Clock drift allowance, as a fraction of the TTL (plus 2 ms). Default 0.01. */
  driftFactor?: number
  /** Bound of every Redis command: ms or a duration string. Default 1000. */
  commandTimeout?: Duration
  /** Multi-master mode: how many clients must agree (default: a majority). */
  quorum?: number
  retry?: RetryOptions
  /**
   * Issue a fencing token with every acquisition (default true). `false`: an acquisition is one
   * plain `SET NX PX` and the lease's `fencingToken` is undefined, for callers whose resource
   * cannot check a token (each acquire can override it).
   */
  fencing?: boolean
  /**
   * Leases in a row this Locker may take of one lock without going back to Redis, when the lock is
   * acquired again in the same event-loop turn it was released in (a loop of acquire → work →
   * release). Default 1: every lease is its own acquisition and every release frees the lock in
   * Redis before it resolves. With `burst: n`, a release parks the lock until the end of the turn;
   * an acquire of it in that turn (same TTL and fencing choice) costs no round trip, and a release
   * or the end of the turn after n leases sends it back to Redis, handing it to the next process in
   * line. Trades fairness for throughput on a hot lock (others wait up to n turns more) and frees
   * the lock one event-loop turn after release() resolved (if the process dies in that turn, at
   * its TTL). One Redis, Sentinel or Cluster only (not the quorum mode). docs/lock.md, Bursts.
   */
  burst?: number
}

export interface AcquireOptions {
  /** Lease TTL: ms or a duration string (default: the Locker's). */
  ttl?: Duration
  /** Longest wait for a held lock: ms or a duration string (default: the Locker's; 0: do not wait). */
  waitTimeout?: Duration
  retry?: RetryOptions
  /** Aborts the wait (the promise rejects with the signal's reason). */
  signal?: AbortSignal
  /** Issue a fencing token (default: the Locker's `fencing`); `false`: the lease's `fencingToken` is undefined. */
  fencing?: boolean
}

export interface UsingOptions extends AcquireOptions {
  /** Extend the lease while the function runs. Default true. */
  autoExtend?: boolean
}

/** An acquire call's options, normalized (the Locker's own defaults where the call gives none). */
export interface NormalizedAcquireOptions {
  ttl: number
  waitTimeout: number
  jitter: number
  maxDelay: number
  signal: AbortSignal | undefined
  fencing: boolean
}

export interface NormalizedLockerOptions extends NormalizedAcquireOptions {
  prefix: string
  minValidity: number
  driftFactor: number
  commandTimeout: number
  quorum: number
  burst: number
}

export const MAX_TTL = 2 ** 31 - 1 // setTimeout's limit; leases are re-armed on timers

function normalizeRetry (where: string, retry: RetryOptions | undefined, base: { jitter: number, maxDelay: number }): { jitter: number, maxDelay: number } {
  if (retry === undefined) return { jitter: base.jitter, maxDelay: base.maxDelay }
  rejectUnknown(where, retry, ['jitter', 'maxDelay'])
  return {
    jitter: optDuration(`${where}.jitter`, retry.jitter, base.jitter, 0, 60_000),
    maxDelay: optDuration(`${where}.maxDelay`, retry.maxDelay, base.maxDelay, 1, MAX_TTL)
  }
}

export function normalizeLockerOptions (opts: LockerOptions, clients: number): NormalizedLockerOptions {
  rejectUnknown('lock', opts, ['prefix', 'ttl', 'waitTimeout', 'minValidity', 'driftFactor', 'commandTimeout', 'quorum', 'retry', 'fencing', 'burst'])
  const quorum = optInt('lock.quorum', opts.quorum, Math.floor(clients / 2) + 1, 1, clients)
  if (clients > 1 && quorum <= clients / 2) throw invalid('lock.quorum', `must be a majority of the ${clients} clients, got ${quorum}`)
  const burst = optInt('lock.burst', opts.burst, 1, 1, 10_000)
  if (clients > 1 && burst > 1) throw invalid('lock.burst', 'needs one Redis, Sentinel or Cluster client: the quorum mode cannot reuse a lock without asking every master')
  return {
    prefix: optString('lock.prefix', opts.prefix, 'frp'),
    ttl: optDuration('lock.ttl', opts.ttl, 30_000, 10, MAX_TTL),
    waitTimeout: optDuration('lock.waitTimeout', opts.waitTimeout, 10_000, 0, MAX_TTL),
    minValidity: optNumber('lock.minValidity', opts.minValidity, 0.5, 0, 0.95),
    driftFactor: optNumber('lock.driftFactor', opts.driftFactor, 0.01, 0, 0.5),
    commandTimeout: optDuration('lock.commandTimeout', opts.commandTimeout, 1000, 1, MAX_TTL),
    quorum,
    burst,
    ...normalizeRetry('lock.retry', opts.retry, { jitter: 25, maxDelay: 1000 }),
    signal: undefined,
    fencing: optBool('lock.fencing', opts.fencing, true)
  }
}

const callKeys = ['ttl', 'waitTimeout', 'retry', 'signal', 'fencing']
const usingKeys = [...callKeys, 'autoExtend']

export function normalizeAcquireOptions (opts: AcquireOptions | UsingOptions, base: NormalizedAcquireOptions, using = false): NormalizedAcquireOptions {
  rejectUnknown('lock.acquire', opts, using ? usingKeys : callKeys)
  const signal = opts.signal
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalid('lock.acquire.signal', 'must be an AbortSignal')
  return {
    ttl: optDuration('lock.acquire.ttl', opts.ttl, base.ttl, 10, MAX_TTL),
    waitTimeout: optDuration('lock.acquire.waitTimeout', opts.waitTimeout, base.waitTimeout, 0, MAX_TTL),
    ...normalizeRetry('lock.acquire.retry', opts.retry, base),
    signal,
    fencing: optBool('lock.acquire.fencing', opts.fencing, base.fencing)
  }
}

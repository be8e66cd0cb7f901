// Options of queues, jobs and workers, validated and normalised once. Job options are turned into
// the exact strings the add script stores, so the hot path only concatenates arguments.
import { FRP_JOB_INVALID } from '../shared/errors.js'
import { createCodec, defaultCodec, type Codec, type CodecOptions } from '../shared/codec.js'
import { optBool, optDuration, optInt, optString, rejectUnknown, invalid, describe, toMs, type Duration } from '../shared/options.js'
import { normalizeDurability, type Durability, type DurabilityOptions } from '../shared/durability.js'
import type { Backoff } from './backoff.js'

/**
 * Priorities are integers 0..MAX_PRIORITY, lower runs first (0 is the default and the highest).
 * The waiting score packs priority (20 bits) over a per-queue sequence (33 bits): 2^20 * 2^33 = 2^53,
 * so scores stay exact doubles. The sequence wraps after 2^33 (8.6 billion) jobs per queue, which
 * only reorders the jobs enqueued around the wrap.
 */
export const MAX_PRIORITY = 2 ** 20 - 1
/** Longest `delay` of a job, ms (ten years): a bound that keeps due times exact and Redis-safe. */
export const MAX_DELAY = 10 * 365 * 86_400_000
/** Longest fixed or base backoff delay, ms (one day). */
export const MAX_BACKOFF = 86_400_000
/** Largest `timeout` of a job, ms (what a Node.js timer can hold). */
export const MAX_TIMEOUT = 2 ** 31 - 1
/** Largest `attempts` of a job. */
export const MAX_ATTEMPTS = 1_000_000

/** `age`: ms or a duration string ('7 days'). */
/** A Backoff as a job option: its `delay` in ms or a duration string ('1s'). */
export type BackoffOptions = Omit<Backoff, 'delay'> & { delay: Duration }

export type Retention = boolean | number | { count?: number, age?: Duration }

export interface JobOptions {
  /** Your id for the job: `add` with an existing (or recently used) jobId adds nothing. */
  jobId?: string
  /** 0..1048575, lower runs first (default 0). */
  priority?: number
  /** Run no earlier than this long from now (Redis clock): ms or a duration string ('5m'). */
  delay?: Duration
  /** Attempts in total, >= 1 (default 1). */
  attempts?: number
  /** Delay between attempts: a fixed delay (ms or a duration string), or a Backoff. */
  backoff?: Duration | BackoffOptions
  /** Abort the handler's signal and fail the attempt after this long, ms or a duration string (0: none). */
  timeout?: Duration
  /** Completed jobs to keep: true = none, false = all, N = the last N, { count, age (ms) }. */
  removeOnComplete?: Retention
  /** Failed jobs to keep (the dead letter set), same forms. */
  removeOnFail?: Retention
}

/** A job's options as the add script stores them. */
export interface EncodedJobOptions {
  jobId: string
  priority: number
  delay: number
  attempts: number
  backoff: string
  timeout: number
  roc: string
  rof: string
}

const JOB_KEYS = ['jobId', 'priority', 'delay', 'attempts', 'backoff', 'timeout', 'removeOnComplete', 'removeOnFail']

function bad (what: string, value: unknown, why: string): Error {
  return new FRP_JOB_INVALID(`${what} ${why}, got ${describe(value)}`)
}

/**
 * An integer argument between min and max, else FRP_JOB_INVALID (400) naming it. `max` is at most
 * 2^53 - 1 everywhere: 1e300 and 2^63 are integers to Number.isInteger, but not to Redis.
 */
export function int (what: string, value: unknown, def: number, min: number, max: number): number {
  if (value === undefined) return def
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(what, value, `must be an integer between ${min} and ${max}`)
  }
  return value
}

/** A duration argument (ms or a string like '5s') between min and max ms, else FRP_JOB_INVALID naming it. */
export function dur (what: string, value: unknown, def: number, min: number, max: number): number {
  if (value === undefined) return def
  return toMs(value, min, max, why => new FRP_JOB_INVALID(`${what} ${why}`))
}

function retention (what: string, value: unknown, def: string): string {
  if (value === undefined) return def
  if (value === true) return '0:-1'
  if (value === false) return '-1:-1'
  if (typeof value === 'number') return `${int(what, value, 0, 0, Number.MAX_SAFE_INTEGER)}:-1`
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Record<string, unknown>
    for (const k of Object.keys(v)) if (k !== 'count' && k !== 'age') throw bad(`${what}.${k}`, v[k], 'is not an option')
    return `${int(`${what}.count`, v.count, -1, 0, Number.MAX_SAFE_INTEGER)}:${dur(`${what}.age`, v.age, -1, 0, Number.MAX_SAFE_INTEGER)}`
  }
  throw bad(what, value, 'must be a boolean, a count or { count, age }')
}

function backoff (value: unknown): string {
  if (value === undefined) return ''
  if (typeof value === 'number' || typeof value === 'string') return JSON.stringify({ type: 'fixed', delay: dur('backoff', value, 0, 0, MAX_BACKOFF) })
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('backoff', value, 'must be a duration or { type, delay, jitter }')
  const v = value as Record<string, unknown>
  for (const k of Object.keys(v)) if (k !== 'type' && k !== 'delay' && k !== 'jitter') throw bad(`backoff.${k}`, v[k], 'is not an option')
  if (v.type !== 'fixed' && v.type !== 'exponential') throw bad('backoff.type', v.type, "must be 'fixed' or 'exponential'")
  const delay = dur('backoff.delay', v.delay, 0, 0, MAX_BACKOFF)
  let jitter = 0
  if (v.jitter !== undefined) {
    if (typeof v.jitter !== 'number' || !(v.jitter >= 0 && v.jitter <= 1)) throw bad('backoff.jitter', v.jitter, 'must be a number between 0 and 1')
    jitter = v.jitter
  }
  return JSON.stringify({ type: v.type, delay, jitter })
}

/** Validates job options (throws FRP_JOB_INVALID, a 400) merged over the queue's defaults. */
export function encodeJobOptions (opts: JobOptions | undefined, defaults: EncodedJobOptions): EncodedJobOptions {
  if (opts === undefined) return defaults
  if (typeof opts !== 'object' || opts === null) throw bad('options', opts, 'must be an object')
  for (const k of Object.keys(opts)) if (!JOB_KEYS.includes(k)) throw bad(k, (opts as Record<string, unknown>)[k], 'is not a job option')
  let jobId = defaults.jobId
  if (opts.jobId !== undefined) {
    const id = opts.jobId
    // Plain integers are the queue's own ids; a custom id must not collide with them.
    if (typeof id !== 'string' || id.length === 0 || id.length > 256 || /^\d+$/.test(id)) {
      throw bad('jobId', id, 'must be a non-empty string of at most 256 characters that is not an integer')
    }
    jobId = id
  }
  return {
    jobId,
    priority: int('priority', opts.priority, defaults.priority, 0, MAX_PRIORITY),
    delay: dur('delay', opts.delay, defaults.delay, 0, MAX_DELAY),
    attempts: int('attempts', opts.attempts, defaults.attempts, 1, MAX_ATTEMPTS),
    backoff: opts.backoff === undefined ? defaults.backoff : backoff(opts.backoff),
    timeout: dur('timeout', opts.timeout, defaults.timeout, 0, MAX_TIMEOUT),
    roc: retention('removeOnComplete', opts.removeOnComplete, defaults.roc),
    rof: retention('removeOnFail', opts.removeOnFail, defaults.rof)
  }
}

export const BASE_JOB_OPTIONS: EncodedJobOptions = {
  jobId: '', priority: 0, delay: 0, attempts: 1, backoff: '', timeout: 0, roc: '1000:-1', rof: '-1:-1'
}

export interface QueueOptions {
  /** Key prefix (default 'frp'): keys are `prefix:queue:{name}:...`. */
  prefix?: string
  /** Bound of every Redis call made by the queue, ms or a duration string (default 1000). */
  commandTimeout?: Duration
  /** Length of the capped events stream (default 10000, 0 disables events). */
  maxEvents?: number
  /**
   * Failed attempts kept in a job's history, with their error and stack (default 50; 0 keeps none,
   * the last error and stack stay). Each costs memory per job: see docs/queue.md, Memory per job.
   */
  attemptHistory?: number
  /** How long a jobId stays reserved after add, ms or a duration string (default 24 h), even if the job is removed. */
  dedupWindow?: Duration
  /** Options applied to every job added through this queue. */
  defaultJobOptions?: JobOptions
  /** A codec, or options for one (data and return values go through it). */
  codec?: Codec | CodecOptions
  /** How often this queue object looks for due schedule ticks, ms or a duration string (default 1000). */
  scheduleInterval?: Duration
  /** Run the schedule loop once this object schedules or processes (default true); false: only other instances tick. */
  runSchedules?: boolean
  /**
   * Wait for this many replicas (`WAIT`) before add, addBulk, retry, remove, pause, resume,
   * clean and drain resolve; FRP_NOT_REPLICATED when they do not confirm within `timeout`.
   * Off by default (see docs/failover.md for the window without it).
   */
  durability?: DurabilityOptions
}

export interface NormalizedQueueOptions {
  prefix: string
  commandTimeout: number
  maxEvents: number
  attemptHistory: number
  dedupWindow: number
  defaults: EncodedJobOptions
  codec: Codec
  scheduleInterval: number
  runSchedules: boolean
  durability: Durability | undefined
}

export const QUEUE_OPTION_KEYS = ['prefix', 'commandTimeout', 'maxEvents', 'attemptHistory', 'dedupWindow', 'defaultJobOptions', 'codec', 'scheduleInterval', 'runSchedules', 'durability']

export function normalizeQueueOptions (name: unknown, opts: QueueOptions = {}): NormalizedQueueOptions {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) throw invalid('name', `must be a non-empty string of at most 200 characters, got ${describe(name)}`)
  rejectUnknown('queue', opts, QUEUE_OPTION_KEYS)
  let defaults: EncodedJobOptions
  try {
    defaults = encodeJobOptions(opts.defaultJobOptions, BASE_JOB_OPTIONS)
  } catch (err) {
    throw invalid('defaultJobOptions', (err as Error).message)
  }
  if (defaults.jobId !== '') throw invalid('defaultJobOptions.jobId', 'cannot be a default')
  const c = opts.codec
  return {
    prefix: optString('prefix', opts.prefix, 'frp'),
    commandTimeout: optDuration('commandTimeout', opts.commandTimeout, 1000, 1),
    maxEvents: optInt('maxEvents', opts.maxEvents, 10_000, 0),
    attemptHistory: optInt('attemptHistory', opts.attemptHistory, 50, 0, 1000),
    dedupWindow: optDuration('dedupWindow', opts.dedupWindow, 86_400_000, 0),
    defaults,
    codec: c === undefined ? defaultCodec : (typeof (c as Codec).encode === 'function' ? c as Codec : createCodec(c as CodecOptions)),
    scheduleInterval: optDuration('scheduleInterval', opts.scheduleInterval, 1000, 10, 3_600_000),
    runSchedules: optBool('runSchedules', opts.runSchedules, true),
    durability: normalizeDurability('durability', opts.durability)
  }
}

export interface WorkerOptions {
  /** Jobs run at once by this worker (default 1). */
  concurrency?: number
  /** Lease of a taken job, ms or a duration string (default 5000): a crashed worker's jobs return within about this long. */
  lease?: Duration
  /** Heartbeat period, ms or a duration string (default lease / 3). */
  heartbeat?: Duration
  /** Period of the stalled-lease check, ms or a duration string (default lease / 2). */
  stalledInterval?: Duration
  /** Times a job may lose its lease before it fails for good (default 3). */
  maxStalls?: number
  /** Longest single blocking wait for new jobs, ms or a duration string (default 5000). */
  blockTimeout?: Duration
  /** At most `max` jobs start per `duration` (ms or a duration string) across all workers of the queue. */
  limiter?: { max: number, duration: Duration }
  /** At most this many jobs of the queue are active at once across all workers (0: no limit). */
  globalConcurrency?: number
  /** Graceful close: how long to wait for running jobs before giving their leases back, ms or a duration string (default 10000). */
  closeTimeout?: Duration
  /** Start taking jobs at once (default true). */
  autorun?: boolean
}

export interface NormalizedWorkerOptions {
  concurrency: number
  lease: number
  heartbeat: number
  stalledInterval: number
  maxStalls: number
  blockTimeout: number
  limitMax: number
  limitDuration: number
  globalConcurrency: number
  closeTimeout: number
  autorun: boolean
}

export function normalizeWorkerOptions (opts: WorkerOptions = {}): NormalizedWorkerOptions {
  rejectUnknown('worker', opts, ['concurrency', 'lease', 'heartbeat', 'stalledInterval', 'maxStalls', 'blockTimeout', 'limiter', 'globalConcurrency', 'closeTimeout', 'autorun'])
  const lease = optDuration('lease', opts.lease, 5000, 50)
  let limitMax = 0
  let limitDuration = 0
  if (opts.limiter !== undefined) {
    rejectUnknown('limiter', opts.limiter, ['max', 'duration'])
    limitMax = optInt('limiter.max', opts.limiter.max, 0, 1)
    limitDuration = optDuration('limiter.duration', opts.limiter.duration, 0, 1)
    if (opts.limiter.max === undefined || opts.limiter.duration === undefined) throw invalid('limiter', 'needs max and duration')
  }
  if (opts.autorun !== undefined && typeof opts.autorun !== 'boolean') throw invalid('autorun', 'must be a boolean')
  return {
    concurrency: optInt('concurrency', opts.concurrency, 1, 1, 10_000),
    lease,
    heartbeat: optDuration('heartbeat', opts.heartbeat, Math.max(10, Math.floor(lease / 3)), 10, lease),
    stalledInterval: optDuration('stalledInterval', opts.stalledInterval, Math.max(10, Math.floor(lease / 2)), 10),
    maxStalls: optInt('maxStalls', opts.maxStalls, 3, 0),
    blockTimeout: optDuration('blockTimeout', opts.blockTimeout, 5000, 10, 300_000),
    limitMax,
    limitDuration,
    globalConcurrency: optInt('globalConcurrency', opts.globalConcurrency, 0, 0),
    closeTimeout: optDuration('closeTimeout', opts.closeTimeout, 10_000, 0),
    autorun: opts.autorun ?? true
  }
}

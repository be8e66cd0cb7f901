// Every call of the queue's Lua scripts (lib/queue/*.lua) in one place: one function per script
// builds its KEYS and ARGV from a queue context, exactly as the script's header comment lists
// them, and decodes its reply into named values, so no caller indexes a reply by position.
// Failures come out coded (lib/shared/call-policy.ts, redisError).
import { callPolicy, redisError, type Bound } from '../shared/call-policy.js'
import type { RedisClient } from '../shared/client.js'
import type { RawScript } from '../shared/scripts.js'
import { FRP_JOB_ACTIVE, FRP_JOB_NOT_FOUND, FRP_JOB_STATE } from '../shared/errors.js'
import { confirmReplicated } from '../shared/durability.js'
import { scripts, type QueueScript } from './scripts.js'
import type { QueueKeys } from './keys.js'
import type { EncodedJobOptions, NormalizedQueueOptions } from './options.js'
import type { Backoff } from './backoff.js'
import type { JobState } from './job.js'

type Arg = string | number
type Reply = Array<string | number>

/** What every call needs: the client, the queue's keys and options, and the queue's one bound. */
export interface QueueContext {
  readonly redis: RedisClient
  readonly keys: QueueKeys
  readonly options: NormalizedQueueOptions
  /** Bounds every Redis wait by `options.commandTimeout` (one per queue, one per worker). */
  readonly bound: Bound
  /** What a call waits at most, ms: the client's own commandTimeout when it is shorter. */
  readonly timeoutMs: number
  /** Every script, bound to `redis` once. */
  readonly scripts: Readonly<Record<QueueScript, RawScript<unknown>>>
  /** KEYS of the two per-job scripts (add-6, take-9), built once. */
  readonly addKeys: readonly string[]
  readonly takeKeys: readonly string[]
}

export function queueContext (redis: RedisClient, keys: QueueKeys, options: NormalizedQueueOptions): QueueContext {
  const k = keys
  const bound: Record<string, RawScript<unknown>> = {}
  for (const name of scripts.names) bound[name] = scripts.bindRaw(redis, name)
  const policy = callPolicy(redis, options.commandTimeout)
  return {
    redis,
    keys,
    options,
    bound: policy.bound,
    timeoutMs: policy.timeoutMs,
    scripts: bound as Record<QueueScript, RawScript<unknown>>,
    addKeys: [k.id, k.waiting, k.delayed, k.marker, k.events, k.meta],
    takeKeys: [k.waiting, k.delayed, k.active, k.marker, k.events, k.meta, k.limiter, k.failed, k.completed]
  }
}

/**
 * Runs script `name` within the bound and decodes its reply. EVALSHA first; on NOSCRIPT (a fresh or
 * restarted Redis) the source once with EVAL, within a bound of its own. As cheap as the plain
 * loader's run(): one promise for the reply, one for the decode.
 */
function evalScript<R> (ctx: QueueContext, name: QueueScript, keys: readonly string[], args: readonly Arg[], decode: (reply: any) => R): Promise<R> {
  const s = ctx.scripts[name]
  return ctx.bound(s.call(keys, args)).then(decode, (err: unknown) =>
    ctx.bound(s.recover(err, keys, args)).then(decode, (e: unknown) => { throw redisError(e, ctx.timeoutMs, { script: name }) }))
}

/**
 * evalScript for the writes a Queue method acknowledges to its caller: with the `durability`
 * option, resolves only once the replicas confirmed it (FRP_NOT_REPLICATED otherwise). Worker
 * writes (take, fail, extend, release) do not wait: nobody is acknowledged by them, and one lost
 * in a failover leaves the job to its lease, which runs it again.
 */
function evalDurable<R> (ctx: QueueContext, name: QueueScript, keys: readonly string[], args: readonly Arg[], decode: (reply: any) => R): Promise<R> {
  const d = ctx.options.durability
  const written = evalScript(ctx, name, keys, args, decode)
  if (d === undefined) return written
  return written.then(r => confirmReplicated(ctx.redis, ctx.keys.meta, d, ctx.timeoutMs).then(() => r))
}

const ignore = (): void => {}
const asNumber = (n: unknown): number => Number(n)

// --- add-6.lua: add and addBulk -------------------------------------------------------------------

export interface AddResult {
  id: string
  /** false when a job with this jobId exists or was added within the dedup window. */
  created: boolean
}

/** ARGV of add-6.lua for `n` jobs, up to the jobs: append each with addJobArgs. */
export function addArgs (ctx: QueueContext, n: number): Arg[] {
  return [ctx.keys.prefix, ctx.options.maxEvents, ctx.options.dedupWindow, n]
}

/** Appends one job's 10 values to `args` (from addArgs). `data` is encoded ('' for none). */
export function addJobArgs (args: Arg[], name: string, data: string, o: EncodedJobOptions): void {
  args.push(o.jobId, name, data, o.priority, o.delay, o.attempts, o.backoff, o.timeout, o.roc, o.rof)
}

function decodeAdded (reply: Reply): AddResult {
  return { id: String(reply[0]), created: reply[1] === 1 }
}

function decodeAddedAll (reply: Reply): AddResult[] {
  const out: AddResult[] = []
  for (let i = 0; i < reply.length; i += 2) out.push({ id: String(reply[i]), created: reply[i + 1] === 1 })
  return out
}

/** Adds the one job of `args`. */
export function add (ctx: QueueContext, args: readonly Arg[]): Promise<AddResult> {
  return evalDurable(ctx, 'add', ctx.addKeys, args, decodeAdded)
}

/** Adds every job of `args`, in order. */
export function addMany (ctx: QueueContext, args: readonly Arg[]): Promise<AddResult[]> {
  return evalDurable(ctx, 'add', ctx.addKeys, args, decodeAddedAll)
}

// --- pause-3.lua ----------------------------------------------------------------------------------

export function pause (ctx: QueueContext, paused: boolean): Promise<void> {
  const k = ctx.keys
  return evalDurable(ctx, 'pause', [k.meta, k.marker, k.events], [paused ? 1 : 0, ctx.options.maxEvents], ignore)
}

// --- retry-6.lua, remove-6.lua: their negative returns become coded errors here -------------------

/** Moves a failed or completed job back to waiting; FRP_JOB_NOT_FOUND, or FRP_JOB_STATE naming its state. */
export async function retry (ctx: QueueContext, id: string): Promise<void> {
  const k = ctx.keys
  const code = await evalDurable(ctx, 'retry', [k.failed, k.completed, k.waiting, k.meta, k.marker, k.events], [k.prefix, ctx.options.maxEvents, id], asNumber)
  if (code === -1) throw new FRP_JOB_NOT_FOUND(id)
  if (code === -2) {
    const state = await ctx.bound(ctx.redis.hget(k.job(id), 'st')).then(undefined, (err: unknown) => { throw redisError(err, ctx.timeoutMs, { command: 'HGET' }) })
    throw new FRP_JOB_STATE(id, 'retried', state ?? 'gone')
  }
}

/** Removes a job that is not active; FRP_JOB_NOT_FOUND, FRP_JOB_ACTIVE. */
export async function remove (ctx: QueueContext, id: string): Promise<void> {
  const k = ctx.keys
  const code = await evalDurable(ctx, 'remove', [k.waiting, k.delayed, k.active, k.completed, k.failed, k.events], [k.prefix, ctx.options.maxEvents, id], asNumber)
  if (code === -1) throw new FRP_JOB_NOT_FOUND(id)
  if (code === -2) throw new FRP_JOB_ACTIVE(id)
}

/** Makes a delayed job due now; FRP_JOB_NOT_FOUND, or FRP_JOB_STATE when it is not delayed. */
export async function promote (ctx: QueueContext, id: string): Promise<void> {
  const k = ctx.keys
  const code = await evalScript(ctx, 'promote', [k.delayed, k.waiting, k.meta, k.marker, k.events], [k.prefix, ctx.options.maxEvents, id], asNumber)
  if (code === -1) throw new FRP_JOB_NOT_FOUND(id)
  if (code === -2) {
    const state = await ctx.bound(ctx.redis.hget(k.job(id), 'st')).then(undefined, (err: unknown) => { throw redisError(err, ctx.timeoutMs, { command: 'HGET' }) })
    throw new FRP_JOB_STATE(id, 'promoted', state ?? 'gone')
  }
}

// --- page-1.lua -----------------------------------------------------------------------------------

/** An entry of a state's set: the job id and its score (priority and order, due time, lease end or finish time). */
export interface PageEntry { id: string, score: number }

/**
 * Up to `n + 1` entries of `state` after the cursor entry (null: from the start). Waiting is its
 * priority-0 list, then its sorted set: a list entry's score is -(1 + its index).
 */
export function page (ctx: QueueContext, state: JobState, after: PageEntry | null, n: number): Promise<PageEntry[]> {
  const newestFirst = state === 'completed' || state === 'failed'
  const args = [after?.id ?? '', after?.score ?? 0, n, newestFirst ? '1' : '0', state === 'waiting' ? ctx.keys.prefix : '']
  return evalScript(ctx, 'page', [ctx.keys[state]], args, (flat: string[]) => {
    const out: PageEntry[] = []
    for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i], score: Number(flat[i + 1]) })
    return out
  })
}

// --- clean-1.lua, drain-2.lua ---------------------------------------------------------------------

/** Removes up to `limit` jobs of `state` older than `age` ms; the removed ids. */
export function clean (ctx: QueueContext, state: 'completed' | 'failed' | 'waiting' | 'delayed', age: number, limit: number): Promise<string[]> {
  const mode = state === 'completed' || state === 'failed' ? 'finished' : 'created'
  return evalDurable(ctx, 'clean', [ctx.keys[state]], [ctx.keys.prefix, age, limit, mode, state === 'waiting' ? '1' : '0'], (ids: string[]) => ids)
}

/** Removes up to `batch` waiting jobs (and delayed ones when `delayed`); how many. */
export function drain (ctx: QueueContext, delayed: boolean, batch: number): Promise<number> {
  return evalDurable(ctx, 'drain', [ctx.keys.waiting, ctx.keys.delayed], [ctx.keys.prefix, delayed ? 1 : 0, batch], asNumber)
}

// --- take-9.lua: the worker's one hot-path call ---------------------------------------------------

/** Who takes: a worker's id and the limits it enforces (every worker of a queue should agree). */
export interface Taker {
  readonly id: string
  readonly lease: number
  readonly limitMax: number
  readonly limitDuration: number
  readonly globalConcurrency: number
  readonly maxStalls: number
}

/** A finished job reported in a take: the run's owner token and its encoded return value. */
export interface Completion {
  readonly id: string
  readonly token: string
  readonly ret: string
}

/** Why a take returned no jobs (or 'ok'). */
export type TakeStatus = 'ok' | 'paused' | 'rate-limited' | 'concurrency-full'
const TAKE_STATUS: readonly TakeStatus[] = ['ok', 'paused', 'rate-limited', 'concurrency-full']

/** A job moved into active for this worker, as stored (data still encoded). */
export interface TakenJob {
  readonly id: string
  /** The owner token of this run. */
  readonly token: string
  readonly name: string
  /** Encoded by the queue's codec ('' for none). */
  readonly data: string
  readonly attempts: number
  readonly attemptsMade: number
  readonly backoff: Backoff | null
  readonly timeout: number
  readonly createdAt: number
  readonly stalls: number
}

export interface TakeReply {
  status: TakeStatus
  /**
   * 'ok' with no jobs: ms until the earliest delayed job is due (-1: none); 'rate-limited': ms
   * until the rate window ends; otherwise -1.
   */
  wait: number
  /** Per Completion sent, in order: true recorded, false refused (the lease was lost). */
  completed: boolean[]
  jobs: TakenJob[]
}

/** Values per job in a take reply (take-9.lua). */
const TAKE_FIELDS = 10

function decodeTake (reply: Reply): TakeReply {
  const nDone = Number(reply[2])
  const completed: boolean[] = []
  for (let i = 0; i < nDone; i++) completed.push(reply[3 + i] === 1)
  const jobs: TakenJob[] = []
  for (let at = 3 + nDone; at < reply.length; at += TAKE_FIELDS) {
    const bo = String(reply[at + 6])
    jobs.push({
      id: String(reply[at]),
      token: String(reply[at + 1]),
      name: String(reply[at + 2]),
      data: String(reply[at + 3]),
      attempts: Number(reply[at + 4]),
      attemptsMade: Number(reply[at + 5]),
      backoff: bo === '' ? null : JSON.parse(bo),
      timeout: Number(reply[at + 7]),
      createdAt: Number(reply[at + 8]),
      stalls: Number(reply[at + 9])
    })
  }
  return { status: TAKE_STATUS[Number(reply[0])], wait: Number(reply[1]), completed, jobs }
}

/**
 * Records `done` (jobs `taker` finished), then takes up to `max` jobs: max 0 only promotes due
 * delayed jobs and returns expired leases (the stalled check), max -1 only completes.
 */
export function take (ctx: QueueContext, taker: Taker, max: number, done: readonly Completion[]): Promise<TakeReply> {
  const args: Arg[] = [ctx.keys.prefix, taker.id, max, taker.lease, taker.limitMax, taker.limitDuration,
    taker.globalConcurrency, taker.maxStalls, ctx.options.maxEvents, done.length]
  for (const c of done) args.push(c.id, c.token, c.ret)
  return evalScript(ctx, 'take', ctx.takeKeys, args, decodeTake)
}

/** A taker that takes nothing: for the stalled check of a queue with no worker. */
export function reclaimer (maxStalls: number): Taker {
  return { id: '', lease: 0, limitMax: 0, limitDuration: 0, globalConcurrency: 0, maxStalls }
}

// --- fail-7.lua, progress-2.lua, extend-1.lua, release-4.lua: calls about runs a worker owns ------

/** A run of a job, by its owner token. */
export interface Run {
  readonly id: string
  readonly token: string
}

/** What a fail call did: the run was not ours any more, the job will run again, or it failed for good. */
export type FailOutcome = 'not-owner' | 'retrying' | 'failed'
const FAIL_OUTCOME: readonly FailOutcome[] = ['not-owner', 'retrying', 'failed']
const decodeFail = (code: number): FailOutcome => FAIL_OUTCOME[code]

/**
 * Records failed attempt number `attempt` of `run`: back to delayed/waiting after `retryDelay` ms,
 * or (retryDelay -1) to failed.
 */
export function fail (ctx: QueueContext, run: Run, attempt: number, err: Error, retryDelay: number): Promise<FailOutcome> {
  const k = ctx.keys
  const stack = err.stack ?? ''
  const keep = ctx.options.attemptHistory
  const entry = keep === 0 ? '' : JSON.stringify({ attempt, error: err.message, stack })
  return evalScript(ctx, 'fail', [k.active, k.failed, k.delayed, k.waiting, k.events, k.meta, k.marker],
    [k.prefix, ctx.options.maxEvents, run.id, run.token, err.message, stack, retryDelay, entry, keep], decodeFail)
}

/** Stores `json` as the progress of `run`; false when the run is not ours any more. */
export function progress (ctx: QueueContext, run: Run, json: string): Promise<boolean> {
  const k = ctx.keys
  return evalScript(ctx, 'progress', [k.active, k.events], [k.prefix, ctx.options.maxEvents, run.id, run.token, json], (ok: number) => ok === 1)
}

/** Renews the leases of `runs` to `lease` ms from now; the ids whose lease is lost. */
export function extend (ctx: QueueContext, lease: number, runs: readonly Run[]): Promise<string[]> {
  const args: Arg[] = [ctx.keys.prefix, lease, runs.length]
  for (const r of runs) args.push(r.id, r.token)
  return evalScript(ctx, 'extend', [ctx.keys.active], args, (lost: string[]) => lost)
}

/** Hands `runs` back to waiting at their old position; how many were still ours. */
export function release (ctx: QueueContext, runs: readonly Run[]): Promise<number> {
  const k = ctx.keys
  const args: Arg[] = [k.prefix, ctx.options.maxEvents, runs.length]
  for (const r of runs) args.push(r.id, r.token)
  return evalScript(ctx, 'release', [k.active, k.waiting, k.marker, k.events], args, asNumber)
}

// --- sched-*.lua: repeatable jobs (lib/queue/schedules.ts) ----------------------------------------

/** A stored schedule: its spec JSON as written and its next tick (ms; 0 when it has none). */
export interface StoredSchedule { id: string, spec: string, next: number }

function decodeSchedules (reply: string[]): StoredSchedule[] {
  const out: StoredSchedule[] = []
  for (let i = 0; i < reply.length; i += 3) out.push({ id: reply[i], spec: reply[i + 1], next: Number(reply[i + 2]) })
  return out
}

/** Creates or replaces schedule `id`; an unchanged spec keeps its next tick. */
export function scheduleUpsert (ctx: QueueContext, id: string, spec: string, first: number): Promise<{ next: number, changed: boolean }> {
  const k = ctx.keys
  return evalScript(ctx, 'sched-upsert', [k.schedules, k.scheduleNext], [id, spec, first], (r: [string, number]) => ({ next: Number(r[0]), changed: r[1] === 1 }))
}

export function scheduleRemove (ctx: QueueContext, id: string): Promise<boolean> {
  const k = ctx.keys
  return evalScript(ctx, 'sched-remove', [k.schedules, k.scheduleNext], [id], (n: number) => n === 1)
}

/** Every schedule, or (with `id`) that one only. */
export function scheduleList (ctx: QueueContext, id = ''): Promise<StoredSchedule[]> {
  const k = ctx.keys
  return evalScript(ctx, 'sched-list', [k.schedules, k.scheduleNext], [id], decodeSchedules)
}

/** Redis time and up to `limit` schedules whose next tick is due (`next` is the due tick). */
export function scheduleDue (ctx: QueueContext, limit: number): Promise<{ now: number, due: StoredSchedule[] }> {
  const k = ctx.keys
  return evalScript(ctx, 'sched-due', [k.schedules, k.scheduleNext], [limit], (r: [number, string[]]) => {
    const due: StoredSchedule[] = []
    for (let i = 0; i < r[1].length; i += 3) due.push({ id: r[1][i], next: Number(r[1][i + 1]), spec: r[1][i + 2] })
    return { now: Number(r[0]), due }
  })
}

/**
 * Claims tick `s.next` of schedule `s` with the jobs of `args` (addArgs + addJobArgs) and moves its
 * next tick to `next`; the jobs created, or null when another caller claimed the tick first.
 */
export function scheduleTick (ctx: QueueContext, args: Arg[], s: StoredSchedule, next: number): Promise<AddResult[] | null> {
  const k = ctx.keys
  args.push(s.id, s.next, s.spec, next)
  return evalScript(ctx, 'sched-tick', [...ctx.addKeys, k.schedules, k.scheduleNext], args, (r: Reply) => r.length === 0 ? null : decodeAddedAll(r))
}

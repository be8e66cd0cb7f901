// The producer and admin side of a queue: add jobs, inspect them, move them by hand.
// Workers (worker.ts) and event listeners (events.ts) are separate objects built from a Queue.
import type { RedisClient } from '../shared/connection.js'
import { FRP_JOB_INVALID, FRP_QUEUE_CLOSED } from '../shared/errors.js'
import { invalid, type Duration } from '../shared/options.js'
import type { Codec } from '../shared/codec.js'
import { queueKeys, type QueueKeys } from './keys.js'
import * as calls from './calls.js'
import { redisError } from '../shared/call-policy.js'
import { TypedEmitter } from '../shared/events.js'
import { decodeJob, JOB_STATES, type JobRecord, type JobState } from './job.js'
import { dur, encodeJobOptions, int, normalizeQueueOptions, type JobOptions, type NormalizedQueueOptions, type QueueOptions, type WorkerOptions } from './options.js'
import { Worker, type Processor } from './worker.js'
import { QueueEvents, type QueueEventsOptions } from './events.js'
import { Scheduler, NEVER } from './scheduler.js'
import { checkSchedule, checkScheduleId, parseSpec, scheduleInfo, tickAfter, type ScheduleInfo, type ScheduledJob, type ScheduleTiming } from './schedules.js'
import { FRP_SCHEDULE_NOT_FOUND } from '../shared/errors.js'
import { readThroughput, type ThroughputMinute } from './throughput.js'

export type { AddResult } from './calls.js'
export type { ThroughputMinute } from './throughput.js'

/** A page of jobs and the cursor of the next one (null: this is the last page). */
export interface JobPage<T = unknown, R = unknown> {
  jobs: Array<JobRecord<T, R>>
  next: string | null
}

export interface BulkJob<T = unknown> {
  name: string
  data: T
  opts?: JobOptions
}

export interface JobCounts {
  waiting: number
  delayed: number
  active: number
  completed: number
  failed: number
  paused: boolean
}

/** retryFailed moves failed jobs back in batches of this size. */
const RETRY_BATCH = 100

/** addBulk sends jobs in chunks of this size: one script call each, bounded work per call. */
const BULK_CHUNK = 500
/** drain removes jobs in batches of this size: one script call each. */
const DRAIN_BATCH = 1000

/** The events of a Queue: event name → listener arguments. */
export interface QueueEventMap {
  /** A job was created by add or addBulk (not emitted for a jobId that was already used). */
  added: [id: string, name: string]
  /** process() started a worker on this queue (metrics attach to its events here). */
  worker: [worker: Worker<any, any>]
  /** This object's schedule loop claimed tick `tick` of schedule `id` and added `jobIds` (one per tick; none if they existed). */
  scheduled: [id: string, tick: number, jobIds: string[]]
  /** A turn of the schedule loop failed (Redis down, ...); the loop goes on at `scheduleInterval`. */
  scheduleError: [err: Error]
}

export class Queue<T = unknown, R = unknown> extends TypedEmitter<QueueEventMap> {
  readonly name: string
  readonly redis: RedisClient
  readonly keys: QueueKeys
  readonly options: NormalizedQueueOptions
  readonly codec: Codec
  #closers = new Set<{ close: () => Promise<void> }>()
  #closed = false
  #ctx: calls.QueueContext
  /** Rejection handlers of the plain reads, made once: they code failures like the scripts'. */
  #readFailed: Record<'HGETALL' | 'ZRANGE' | 'PIPELINE' | 'HEXISTS', (err: unknown) => never>
  #scheduler: Scheduler | null = null

  constructor (redis: RedisClient, name: string, options: QueueOptions = {}) {
    super()
    this.options = normalizeQueueOptions(name, options)
    this.name = name
    this.redis = redis
    this.codec = this.options.codec
    this.keys = queueKeys(this.options.prefix, name)
    const ctx = this.#ctx = calls.queueContext(redis, this.keys, this.options)
    const failed = (command: string) => (err: unknown): never => { throw redisError(err, ctx.timeoutMs, { command }) }
    this.#readFailed = { HGETALL: failed('HGETALL'), ZRANGE: failed('ZRANGE'), PIPELINE: failed('PIPELINE'), HEXISTS: failed('HEXISTS') }
  }

  #check (): void {
    if (this.#closed) throw new FRP_QUEUE_CLOSED(this.name)
  }

  #encode (name: unknown, data: unknown, opts: JobOptions | undefined, args: Array<string | number>): void {
    if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
      throw new FRP_JOB_INVALID('name must be a non-empty string of at most 200 characters')
    }
    const o = encodeJobOptions(opts, this.options.defaults)
    calls.addJobArgs(args, name, data === undefined ? '' : this.codec.encode(data), o)
  }

  /** Adds a job. Validation errors (FRP_JOB_INVALID, FRP_VALUE_TOO_LARGE) are thrown before Redis is touched. */
  async add (name: string, data: T, opts?: JobOptions): Promise<calls.AddResult> {
    this.#check()
    const args = calls.addArgs(this.#ctx, 1)
    this.#encode(name, data, opts, args)
    const res = await calls.add(this.#ctx, args)
    if (res.created && this.listenerCount('added') !== 0) this.emit('added', res.id, name)
    return res
  }

  /** Adds many jobs: all are validated first (nothing is added if one is invalid), then sent in chunks. */
  async addBulk (jobs: ReadonlyArray<BulkJob<T>>): Promise<calls.AddResult[]> {
    this.#check()
    if (!Array.isArray(jobs)) throw new FRP_JOB_INVALID('addBulk expects an array')
    const chunks: Array<Array<string | number>> = []
    for (let i = 0; i < jobs.length; i += BULK_CHUNK) {
      const slice = jobs.slice(i, i + BULK_CHUNK)
      const args = calls.addArgs(this.#ctx, slice.length)
      for (const j of slice) this.#encode(j?.name, j?.data, j?.opts, args)
      chunks.push(args)
    }
    const replies = await Promise.all(chunks.map(args => calls.addMany(this.#ctx, args)))
    const out = replies.flat()
    if (this.listenerCount('added') !== 0) {
      for (let i = 0; i < out.length; i++) if (out[i].created) this.emit('added', out[i].id, jobs[i].name)
    }
    return out
  }

  async getJob (id: string): Promise<JobRecord<T, R> | null> {
    if (typeof id !== 'string' || id.length === 0) return null
    const h = await this.#ctx.bound(this.redis.hgetall(this.keys.job(id))).then(undefined, this.#readFailed.HGETALL)
    if (h.st === undefined) return null
    return decodeJob<T, R>(id, h, this.codec)
  }

  /**
   * Jobs of one state, in processing order for waiting (priority, then FIFO), due order for delayed,
   * lease order for active, newest first for completed and failed.
   */
  async getJobs (state: JobState, { limit = 50, offset = 0 }: { limit?: number, offset?: number } = {}): Promise<Array<JobRecord<T, R>>> {
    if (!JOB_STATES.includes(state)) throw new FRP_JOB_INVALID(`unknown state "${String(state)}"`)
    int('limit', limit, 50, 1, 1000)
    int('offset', offset, 0, 0, Number.MAX_SAFE_INTEGER)
    if (state === 'waiting') return await this.#records(await this.#waitingIds(offset, limit))
    const key = this.keys[state]
    const newestFirst = state === 'completed' || state === 'failed'
    const ids = await this.#ctx.bound(newestFirst
      ? this.redis.zrevrange(key, String(offset), String(offset + limit - 1))
      : this.redis.zrange(key, String(offset), String(offset + limit - 1))).then(undefined, this.#readFailed.ZRANGE)
    return await this.#records(ids)
  }

  /**
   * A page of jobs of one state, in getJobs' order, after `cursor` (a previous page's `next`):
   * O(log N + limit) however deep the page. Unlike an offset, a cursor does not shift when jobs
   * enter or leave the state between two pages (an operator retrying failed jobs). A job that
   * leaves the state between two pages is never the reason another one is skipped.
   */
  async getJobsPage (state: JobState, { cursor = null, limit = 50 }: { cursor?: string | null, limit?: number } = {}): Promise<JobPage<T, R>> {
    if (!JOB_STATES.includes(state)) throw new FRP_JOB_INVALID(`unknown state "${String(state)}"`)
    int('limit', limit, 50, 1, 1000)
    const after = cursor === null || cursor === '' ? null : decodeCursor(cursor)
    const entries = await calls.page(this.#ctx, state, after, limit)
    const more = entries.length > limit
    if (more) entries.length = limit
    const jobs = await this.#records(entries.map(e => e.id))
    const last = entries[entries.length - 1]
    return { jobs, next: more ? `${last.score}:${last.id}` : null }
  }

  /** Ids of waiting jobs `offset`.. in the order workers take them: the priority-0 list, then the sorted set. */
  async #waitingIds (offset: number, limit: number): Promise<string[]> {
    const k = this.keys
    const p = this.redis.pipeline().lrange(k.waitList, offset, offset + limit - 1).llen(k.waitList)
    const res = await this.#ctx.bound(p.exec()).then(undefined, this.#readFailed.PIPELINE) ?? []
    for (const [err] of res) if (err !== null) throw redisError(err, this.#ctx.timeoutMs, { command: 'LRANGE' })
    const ids = res[0][1] as string[]
    if (ids.length === limit) return ids
    const from = Math.max(0, offset - Number(res[1][1]))
    const more = await this.#ctx.bound(this.redis.zrange(k.waiting, String(from), String(from + limit - ids.length - 1))).then(undefined, this.#readFailed.ZRANGE)
    return ids.concat(more)
  }

  async #records (ids: readonly string[]): Promise<Array<JobRecord<T, R>>> {
    if (ids.length === 0) return []
    const p = this.redis.pipeline()
    for (const id of ids) p.hgetall(this.keys.job(id))
    const res = await this.#ctx.bound(p.exec()).then(undefined, this.#readFailed.PIPELINE) ?? []
    const jobs: Array<JobRecord<T, R>> = []
    for (let i = 0; i < ids.length; i++) {
      const failure = res[i]?.[0]
      if (failure !== null && failure !== undefined) this.#readFailed.HGETALL(failure)
      const h = res[i]?.[1] as Record<string, string> | undefined
      // A job removed between the two reads is skipped.
      if (h !== undefined && h.st !== undefined) jobs.push(decodeJob<T, R>(ids[i], h, this.codec))
    }
    return jobs
  }

  /** Jobs completed and failed for good per minute over the last `minutes` (default 60, at most 120), oldest first. */
  async throughput ({ minutes = 60 }: { minutes?: number } = {}): Promise<ThroughputMinute[]> {
    int('minutes', minutes, 60, 1, 120)
    return await readThroughput(this.#ctx, minutes)
  }

  /** Jobs per state: one ZCARD (or LLEN) each, O(1), in one round trip. */
  async counts (): Promise<JobCounts> {
    const k = this.keys
    const p = this.redis.pipeline()
    p.zcard(k.waiting).zcard(k.delayed).zcard(k.active).zcard(k.completed).zcard(k.failed).hexists(k.meta, 'paused').llen(k.waitList)
    const res = await this.#ctx.bound(p.exec()).then(undefined, this.#readFailed.PIPELINE) ?? []
    for (const [err] of res) if (err !== null) throw redisError(err, this.#ctx.timeoutMs, { command: 'ZCARD' })
    const n = (i: number): number => Number(res[i][1])
    return { waiting: n(0) + n(6), delayed: n(1), active: n(2), completed: n(3), failed: n(4), paused: n(5) === 1 }
  }

  /** Stops every worker of the queue from taking jobs (running jobs finish). */
  async pause (): Promise<void> {
    await calls.pause(this.#ctx, true)
  }

  async resume (): Promise<void> {
    await calls.pause(this.#ctx, false)
  }

  async isPaused (): Promise<boolean> {
    return await this.#ctx.bound(this.redis.hexists(this.keys.meta, 'paused')).then(undefined, this.#readFailed.HEXISTS) === 1
  }

  /** Moves a failed (or completed) job back to waiting with a fresh attempt budget. */
  async retry (id: string): Promise<void> {
    await calls.retry(this.#ctx, id)
  }

  /**
   * Moves failed jobs back to waiting, oldest failure first, up to `limit` (default: all), in
   * batches of 100 (each job moved atomically by the retry script). Returns how many moved.
   */
  async retryFailed ({ limit = Number.MAX_SAFE_INTEGER }: { limit?: number } = {}): Promise<number> {
    int('limit', limit, Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER)
    let moved = 0
    while (moved < limit) {
      const ids = await this.#ctx.bound(this.redis.zrange(this.keys.failed, '0', String(Math.min(RETRY_BATCH, limit - moved) - 1))).then(undefined, this.#readFailed.ZRANGE)
      if (ids.length === 0) break
      // A job retried by someone else meanwhile is not failed any more: skipped, not an error.
      const done = await Promise.all(ids.map(id => calls.retry(this.#ctx, id).then(() => 1, (err: { code?: string }) => {
        if (err.code === 'FRP_JOB_STATE' || err.code === 'FRP_JOB_NOT_FOUND') return 0
        throw err
      })))
      const n = done.reduce<number>((a, b) => a + b, 0)
      moved += n
      if (n === 0) break
    }
    return moved
  }

  /** Makes a delayed job due now, behind the jobs already waiting (FRP_JOB_STATE when it is not delayed). */
  async promote (id: string): Promise<void> {
    await calls.promote(this.#ctx, id)
  }

  /** Removes a job that is not active (FRP_JOB_ACTIVE otherwise, FRP_JOB_NOT_FOUND if absent). */
  async remove (id: string): Promise<void> {
    await calls.remove(this.#ctx, id)
  }

  /**
   * Removes up to `limit` jobs of `state` older than `age` (ms or a duration string; finish time for completed and
   * failed, creation time for waiting and delayed). Returns the removed ids.
   */
  async clean (state: 'completed' | 'failed' | 'waiting' | 'delayed', { age: ageInput = 0, limit = 1000 }: { age?: Duration, limit?: number } = {}): Promise<string[]> {
    if (!['completed', 'failed', 'waiting', 'delayed'].includes(state)) throw new FRP_JOB_INVALID(`cannot clean state "${String(state)}"`)
    const age = dur('age', ageInput, 0, 0, Number.MAX_SAFE_INTEGER)
    int('limit', limit, 1000, 1, 100_000)
    return await calls.clean(this.#ctx, state, age, limit)
  }

  /** Removes every waiting job (and delayed ones unless `delayed: false`). Returns how many. */
  async drain ({ delayed = true }: { delayed?: boolean } = {}): Promise<number> {
    let total = 0
    for (;;) {
      const n = await calls.drain(this.#ctx, delayed, DRAIN_BATCH)
      total += n
      if (n === 0) return total
    }
  }

  /**
   * Returns expired leases to waiting (or fails jobs that stalled more than `maxStalls` times) and
   * promotes due delayed jobs. Workers do this on their own every `stalledInterval`; call it when
   * no worker runs, or from a scheduler.
   */
  async checkStalled ({ maxStalls = 3 }: { maxStalls?: number } = {}): Promise<void> {
    int('maxStalls', maxStalls, 3, 0, Number.MAX_SAFE_INTEGER)
    await calls.take(this.#ctx, calls.reclaimer(maxStalls), 0, [])
  }

  // --- repeatable jobs (schedules.ts, scheduler.ts) --------------------------------------------

  /**
   * Creates or replaces the schedule `id`: every `every` (aligned to the Unix epoch) or on `cron` in
   * `tz`, each tick adds the job `job` (one job per tick, whatever the number of instances running
   * the schedule). Registering an unchanged schedule again keeps its next tick, so every instance
   * may call this at startup. Bad input is FRP_SCHEDULE_INVALID naming the field (or
   * FRP_JOB_INVALID for a job option), and nothing is written. Starts this object's schedule loop.
   */
  async schedule (id: string, timing: ScheduleTiming, job: ScheduledJob<T>): Promise<ScheduleInfo<T>> {
    this.#check()
    checkScheduleId(id)
    const checked = checkSchedule(timing, job, this.codec, this.options.defaults)
    const [sec, micro] = await this.#ctx.bound(this.redis.time()).then(undefined, (err: unknown) => { throw redisError(err, this.#ctx.timeoutMs, { command: 'TIME' }) })
    const now = Number(sec) * 1000 + Math.floor(Number(micro) / 1000)
    const { next } = await calls.scheduleUpsert(this.#ctx, id, checked.json, tickAfter(checked.spec, checked.cron, now) ?? NEVER)
    this.runSchedules()
    return scheduleInfo<T>(id, checked.spec, next, this.codec)
  }

  /** Every schedule of the queue, by id. */
  async getSchedules (): Promise<Array<ScheduleInfo<T>>> {
    const out: Array<ScheduleInfo<T>> = []
    for (const s of await calls.scheduleList(this.#ctx)) {
      const parsed = parseSpec(s.spec)
      if (parsed !== null) out.push(scheduleInfo<T>(s.id, parsed.spec, s.next, this.codec))
    }
    return out.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  }

  async getSchedule (id: string): Promise<ScheduleInfo<T> | null> {
    checkScheduleId(id)
    const [s] = await calls.scheduleList(this.#ctx, id)
    const parsed = s === undefined ? null : parseSpec(s.spec)
    return parsed === null ? null : scheduleInfo<T>(id, parsed.spec, s.next, this.codec)
  }

  /** Removes a schedule (the jobs it made stay); FRP_SCHEDULE_NOT_FOUND when there is none. */
  async removeSchedule (id: string): Promise<void> {
    checkScheduleId(id)
    if (!await calls.scheduleRemove(this.#ctx, id)) throw new FRP_SCHEDULE_NOT_FOUND(id)
  }

  /**
   * Starts this object's schedule loop (schedule() and process() do it too, unless the queue option
   * `runSchedules` is false): every `scheduleInterval` it claims the due ticks of every schedule
   * of the queue, so schedules made by an earlier run of the app resume without a schedule() call.
   */
  runSchedules (): void {
    if (!this.options.runSchedules || this.#closed) return
    if (this.#scheduler === null) {
      this.#scheduler = new Scheduler(this.#ctx, this.options.defaults, this.options.scheduleInterval, {
        scheduled: (id, tick, jobIds) => { if (this.listenerCount('scheduled') > 0) this.emit('scheduled', id, tick, jobIds) },
        failed: err => { if (this.listenerCount('scheduleError') > 0) this.emit('scheduleError', redisError(err, this.#ctx.timeoutMs, { script: 'sched-tick' })) }
      })
    }
    this.#scheduler.start()
  }

  /** The workers process() started on this queue object and not closed yet. */
  get workers (): Array<Worker<T, R>> {
    return [...this.#closers].filter((c): c is Worker<T, R> => c instanceof Worker)
  }

  /** Starts a worker on this queue; it is closed by `queue.close()`. */
  process (handler: Processor<T, R>, opts?: WorkerOptions): Worker<T, R> {
    this.#check()
    if (typeof handler !== 'function') throw invalid('handler', 'must be a function')
    const w = new Worker<T, R>(this, handler, opts)
    this.#own(w)
    this.runSchedules()
    if (this.listenerCount('worker') > 0) this.emit('worker', w)
    return w
  }

  /** A listener of the queue's event stream; closed by `queue.close()`. */
  events (opts?: QueueEventsOptions): QueueEvents {
    this.#check()
    const e = new QueueEvents(this, opts)
    this.#own(e)
    return e
  }

  #own (c: { close: () => Promise<void>, once: (event: 'closed', listener: () => void) => unknown }): void {
    this.#closers.add(c)
    c.once('closed', () => this.#closers.delete(c))
  }

  /** Closes the workers and listeners made by this queue (gracefully), then refuses new calls. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all([...this.#closers].map(c => c.close()).concat(this.#scheduler?.close() ?? []))
    this.#closers.clear()
  }
}

/** A page cursor: `<score>:<id>` of the last job of the previous page. */
function decodeCursor (cursor: string): calls.PageEntry {
  const at = typeof cursor === 'string' ? cursor.indexOf(':') : -1
  const score = at > 0 ? Number(cursor.slice(0, at)) : NaN
  if (!Number.isFinite(score) || at === cursor.length - 1) throw new FRP_JOB_INVALID('invalid page cursor')
  return { score, id: cursor.slice(at + 1) }
}

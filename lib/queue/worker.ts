// A worker: takes jobs with one script call (several at a time), runs them under a lease renewed
// by heartbeats, and reports each outcome with the owner token, so a worker that lost a job
// (stalled, partitioned, paused by the OS) cannot complete or fail it any more.
//
// Idle workers block on the queue's marker (BZPOPMIN on a dedicated connection, bounded by
// blockTimeout and by the next delayed job's due time); add() and every state move that makes a
// job runnable re-arm the marker, so no wake-up is lost and nothing polls.
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { redisError, withTimeout } from '../shared/call-policy.js'
import { reconnectDelay, duplicateConnection, type RedisClient } from '../shared/connection.js'
import { FRP_JOB_NOT_OWNER, FRP_JOB_TIMEOUT, FRP_REDIS_TIMEOUT } from '../shared/errors.js'
import * as calls from './calls.js'
import { normalizeWorkerOptions, type NormalizedWorkerOptions, type WorkerOptions } from './options.js'
import { optDuration, type Duration } from '../shared/options.js'
import { activeJob, type ActiveJob } from './active-job.js'
import { backoffDelay } from './backoff.js'
import { TypedEmitter } from '../shared/events.js'
import { toJson } from '../shared/codec.js'
import type { Processor, WorkerEvents, WorkerQueue } from './worker-types.js'

export type { Processor, WorkerEvents, WorkerQueue } from './worker-types.js'

interface Running<T> {
  job: ActiveJob<T>
  ac: AbortController
  /** performance.now() when the handler started, or -1 when no one listened for durations. */
  started: number
  /** The handler has settled (or timed out) and the outcome is being reported. */
  settled: boolean
  lost: boolean
}

interface PendingComplete extends calls.Completion {
  resolve: (ok: boolean) => void
  reject: (err: Error) => void
}

interface PendingTake {
  max: number
  resolve: (reply: calls.TakeReply) => void
  reject: (err: Error) => void
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export class Worker<T = unknown, R = unknown> extends TypedEmitter<WorkerEvents<T, R>> {
  readonly queue: WorkerQueue<T, R>
  readonly id: string
  readonly options: NormalizedWorkerOptions
  #handler: Processor<T, R>
  #redis: RedisClient
  #blocking: RedisClient | null = null
  #running = new Map<string, Running<T>>()
  #busy = 0
  #closing = false
  #closed: Promise<void> | null = null
  #loop: Promise<void> | null = null
  #wake: (() => void) | null = null
  #idle: (() => void) | null = null
  #heartbeatTimer: NodeJS.Timeout | undefined
  #stalledTimer: NodeJS.Timeout | undefined
  #completes: PendingComplete[] = []
  #take: PendingTake | null = null
  #flushScheduled = false
  #reporting = new Set<Promise<unknown>>()
  #ctx: calls.QueueContext
  #taker: calls.Taker

  constructor (queue: WorkerQueue<T, R>, handler: Processor<T, R>, opts: WorkerOptions = {}) {
    super()
    this.queue = queue
    this.#handler = handler
    this.#redis = queue.redis
    this.options = normalizeWorkerOptions(opts)
    this.id = randomBytes(6).toString('hex')
    const o = this.options
    this.#ctx = calls.queueContext(this.#redis, queue.keys, queue.options)
    this.#taker = { id: this.id, lease: o.lease, limitMax: o.limitMax, limitDuration: o.limitDuration, globalConcurrency: o.globalConcurrency, maxStalls: o.maxStalls }
    if (o.autorun) this.run()
  }

  /** Starts taking jobs (when autorun is false). */
  run (): void {
    if (this.#loop !== null || this.#closing) return
    const o = this.options
    this.#heartbeatTimer = setInterval(() => { this.#heartbeat().catch(() => {}) }, o.heartbeat).unref()
    this.#stalledTimer = setInterval(() => { this.#checkStalled().catch(() => {}) }, o.stalledInterval).unref()
    this.#loop = this.#runLoop()
  }

  get running (): number { return this.#busy }

  /** Reports a failed Redis call (already coded by calls.ts, or coded here as `command`'s). */
  #error (err: unknown, command = 'EVALSHA'): void {
    const cause = (err as { cause?: unknown })?.cause ?? err
    if (this.#closing && (cause as Error)?.message === 'Connection is closed.') return
    if (this.listenerCount('error') > 0) this.emit('error', redisError(err, this.#ctx.timeoutMs, { command }))
  }

  async #runLoop (): Promise<void> {
    let failures = 0
    while (!this.#closing) {
      const free = this.options.concurrency - this.#busy
      if (free <= 0) {
        await new Promise<void>(resolve => { this.#wake = resolve })
        this.#wake = null
        continue
      }
      let reply: calls.TakeReply
      try {
        reply = await new Promise<calls.TakeReply>((resolve, reject) => {
          this.#take = { max: free, resolve, reject }
          this.#schedule()
        })
        failures = 0
      } catch (err) {
        this.#error(err)
        // Redis down or slow: back off (capped), then try again.
        await this.#pause(reconnectDelay(failures++))
        continue
      }
      if (reply.jobs.length > 0) {
        for (const taken of reply.jobs) this.#start(taken)
        continue
      }
      const { status, wait } = reply
      if (status === 'rate-limited') {
        await this.#pause(Math.max(wait, 1))
        continue
      }
      // A delayed job is due now: take again at once; due later: block until then at most.
      if (status === 'ok' && wait === 0) continue
      await this.#block(status === 'ok' && wait > 0 ? Math.min(wait, this.options.blockTimeout) : this.options.blockTimeout)
    }
  }

  /** A local wait that close() cuts short. */
  async #pause (ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>(resolve => {
      this.#wake = resolve
      timer = setTimeout(resolve, ms)
    })
    clearTimeout(timer)
    this.#wake = null
  }

  #blockingConnection (): RedisClient {
    if (this.#blocking === null) {
      this.#blocking = duplicateConnection(this.#redis, { blocking: true })
      this.#blocking.on('error', () => {}) // reconnects on its own; the loop reports failures
    }
    return this.#blocking
  }

  async #block (ms: number): Promise<void> {
    if (this.#closing) return
    const conn = this.#blockingConnection()
    try {
      // A watchdog bounds the wait: a connection that died silently (or a Redis that restarted
      // while we were blocked) must not keep the worker asleep.
      await withTimeout(conn.bzpopmin(this.queue.keys.marker, Math.max(ms, 1) / 1000), ms + 2000)
    } catch (err) {
      if (this.#closing) return
      if (err instanceof FRP_REDIS_TIMEOUT) {
        conn.disconnect()
        if (this.#blocking === conn) this.#blocking = null
      } else {
        this.#error(err, 'BZPOPMIN')
        await this.#pause(100)
      }
    }
  }

  #start (taken: calls.TakenJob): void {
    const ac = new AbortController()
    const job = activeJob<T>(taken, this.queue.codec, ac.signal, this.#progress)
    // Timed only for listeners: a number field that varies per run costs an allocation.
    const started = this.listenerCount('completed') + this.listenerCount('failed') > 0 ? performance.now() : -1
    const r: Running<T> = { job, ac, started, settled: false, lost: false }
    this.#running.set(job.id, r)
    this.#busy++
    let timer: NodeJS.Timeout | undefined
    let outcome: Promise<R> = new Promise<R>(resolve => resolve(this.#handler(job, ac.signal)))
    if (job.timeout > 0) {
      outcome = Promise.race([outcome, new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          const err = new FRP_JOB_TIMEOUT(job.id, job.timeout)
          ac.abort(err)
          reject(err)
        }, job.timeout)
      })])
    }
    outcome.then(
      result => { clearTimeout(timer); this.#settle(r, null, result) },
      err => { clearTimeout(timer); this.#settle(r, err instanceof Error ? err : new Error(String(err)), undefined) }
    )
  }

  #settle (r: Running<T>, err: Error | null, result: R | undefined): void {
    if (r.settled) return
    r.settled = true
    let ret = ''
    if (err === null && result !== undefined) {
      try {
        ret = this.queue.codec.encode(result)
      } catch (encodeErr) {
        err = encodeErr as Error
      }
    }
    this.#busy--
    const w = this.#wake
    if (w !== null) { this.#wake = null; w() }
    if (this.#busy === 0 && this.#idle !== null) this.#idle()
    const p = err === null
      ? this.#report(r, () => this.#complete(r.job.id, r.job.token, ret)).then(ok => {
        if (ok && this.listenerCount('completed') !== 0) this.emit('completed', r.job, result, this.#duration(r))
      })
      : this.#report(r, () => this.#fail(r.job, err)).then(outcome => {
        if (outcome !== false && this.listenerCount('failed') !== 0) this.emit('failed', r.job, err, this.#duration(r), outcome === 'failed')
      })
    this.#reporting.add(p)
    // Only this run's entry: a job this worker lost may already be running here again (taken
    // anew after its stall), and that run must keep its heartbeat and its hand-back on close.
    p.finally(() => {
      this.#reporting.delete(p)
      if (this.#running.get(r.job.id) === r) this.#running.delete(r.job.id)
    }).catch(() => {})
  }

  #duration (r: Running<T>): number {
    return r.started < 0 ? -1 : performance.now() - r.started
  }

  /**
   * Sends an outcome, retrying while Redis is unreachable (the heartbeat keeps the lease meanwhile).
   * Resolves with what `send` resolved when it was recorded; false when the job was no longer ours
   * (send resolved false or 'not-owner'), or Redis stayed unreachable.
   */
  async #report<O> (r: Running<T>, send: () => Promise<O | false | 'not-owner'>): Promise<O | false> {
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await send()
        if (outcome !== false && outcome !== 'not-owner') return outcome
        if (!r.lost) { r.lost = true; this.emit('lost', r.job) }
        return false
      } catch (err) {
        this.#error(err)
        if (r.lost || attempt >= 20) return false
        await sleep(Math.min(50 * 2 ** attempt, 1000))
      }
    }
  }

  #complete (id: string, token: string, ret: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.#completes.push({ id, token, ret, resolve, reject })
      this.#schedule()
    })
  }

  #schedule (): void {
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      setImmediate(this.#flush)
    }
  }

  /**
   * One script call per turn of the event loop: completes every job that finished in this turn and
   * takes the next jobs for the free slots, so a busy worker makes one round trip per batch.
   */
  #flush = (): void => {
    this.#flushScheduled = false
    const batch = this.#completes
    const take = this.#take
    this.#completes = []
    this.#take = null
    if (batch.length === 0 && take === null) return
    calls.take(this.#ctx, this.#taker, take === null ? -1 : take.max, batch).then(
      res => {
        for (let i = 0; i < batch.length; i++) batch[i].resolve(res.completed[i])
        take?.resolve(res)
      },
      err => {
        for (const c of batch) c.reject(err)
        take?.reject(err)
      }
    )
  }

  #fail (job: ActiveJob<T>, err: Error): Promise<calls.FailOutcome> {
    const made = job.attemptsMade + 1
    const retry = made < job.attempts ? backoffDelay(job.backoff, made) : -1
    return calls.fail(this.#ctx, job, made, err, retry)
  }

  #progress = async (id: string, token: string, p: unknown): Promise<boolean> => {
    return await calls.progress(this.#ctx, { id, token }, toJson(p ?? null, 'progress'))
  }

  /** Renews every lease this worker holds in one call; aborts the jobs it lost. */
  async #heartbeat (): Promise<void> {
    if (this.#running.size === 0) return
    // The runs this call speaks for: by the time the reply comes, a lost job may be running here
    // again under a new token, and that run must not be taken for the lost one.
    const sent = new Map<string, Running<T>>()
    const jobs: Array<ActiveJob<T>> = []
    for (const r of this.#running.values()) { sent.set(r.job.id, r); jobs.push(r.job) }
    try {
      const lost = await calls.extend(this.#ctx, this.options.lease, jobs)
      for (const id of lost) {
        const r = sent.get(id)
        // A settled run is being reported: its own report decides (and emits 'lost' if refused).
        // A heartbeat sent before its outcome reached Redis answers "not active" once the outcome
        // is in, which is no loss (seen under load: a job that failed for good reported as lost).
        if (r === undefined || r.lost || r.settled) continue
        r.lost = true
        r.ac.abort(new FRP_JOB_NOT_OWNER(id))
        this.emit('lost', r.job)
      }
    } catch (err) {
      this.#error(err)
    }
  }

  /** Returns expired leases of crashed workers and promotes due delayed jobs (take with max 0). */
  async #checkStalled (): Promise<void> {
    try {
      await calls.take(this.#ctx, this.#taker, 0, [])
    } catch (err) {
      this.#error(err)
    }
  }

  /**
   * Graceful close: stops taking jobs, waits up to `timeout` (ms or a duration string; default closeTimeout) for running
   * jobs, then gives the leases of the unfinished ones back so another worker takes them at once.
   */
  close (timeoutInput: Duration = this.options.closeTimeout): Promise<void> {
    if (this.#closed !== null) return this.#closed
    let timeout: number
    try {
      timeout = optDuration('close.timeout', timeoutInput, this.options.closeTimeout)
    } catch (err) {
      return Promise.reject(err)
    }
    this.#closing = true
    this.#closed = (async () => {
      clearInterval(this.#stalledTimer)
      const w = this.#wake
      if (w !== null) { this.#wake = null; w() }
      this.#blocking?.disconnect()
      await this.#loop
      // The loop may have opened a blocking connection while close() was starting.
      this.#blocking?.disconnect()
      this.#blocking = null
      // Heartbeats continue while we wait, so the leases stay ours.
      if (this.#busy > 0 && timeout > 0) {
        let timer: NodeJS.Timeout | undefined
        await new Promise<void>(resolve => {
          this.#idle = resolve
          timer = setTimeout(resolve, timeout)
        })
        clearTimeout(timer)
        this.#idle = null
      }
      clearInterval(this.#heartbeatTimer)
      const unfinished = [...this.#running.values()].filter(r => !r.settled && !r.lost)
      if (unfinished.length > 0) {
        try {
          await calls.release(this.#ctx, unfinished.map(r => r.job))
        } catch (err) {
          this.#error(err) // the leases expire on their own
        }
        for (const r of unfinished) { r.lost = true; r.ac.abort(new FRP_JOB_NOT_OWNER(r.job.id)) }
      }
      await Promise.allSettled([...this.#reporting])
      this.emit('closed')
    })()
    return this.#closed
  }
}

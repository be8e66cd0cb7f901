// A worker: takes jobs with one script call (several at a time), runs them under a lease renewed
// by heartbeats, and reports each outcome with the owner token, so a worker that lost a job
// (stalled, partitioned, paused by the OS) cannot complete or fail it any more.
//
// Idle workers block on the queue's marker (BZPOPMIN on a dedicated connection, bounded by
// blockTimeout and by the next delayed job's due time); add() and every state move that makes a
// job runnable re-arm the marker, so no wake-up is lost and nothing polls.
import { EventEmitter } from 'node:events'
import { randomBytes } from 'node:crypto'
import { duplicateConnection, withTimeout, type RedisClient } from '../shared/connection.js'
import { FRP_JOB_NOT_OWNER, FRP_JOB_TIMEOUT, FRP_REDIS_TIMEOUT } from '../shared/errors.js'
import { scripts, TAKE_OK, TAKE_RATE_LIMITED } from './scripts.js'
import { normalizeWorkerOptions, type NormalizedQueueOptions, type NormalizedWorkerOptions, type WorkerOptions } from './options.js'
import { activeJob, TAKE_FIELDS, type ActiveJob } from './active-job.js'
import { backoffDelay } from './backoff.js'
import type { QueueKeys } from './keys.js'
import { boundFor, type Bound } from '../shared/connection.js'
import { toJson, type Codec } from '../shared/codec.js'

export type Processor<T = unknown, R = unknown> = (job: ActiveJob<T>, signal: AbortSignal) => Promise<R> | R

interface Running<T> {
  job: ActiveJob<T>
  ac: AbortController
  /** The handler has settled (or timed out) and the outcome is being reported. */
  settled: boolean
  lost: boolean
}

interface PendingComplete {
  id: string
  token: string
  ret: string
  resolve: (ok: boolean) => void
  reject: (err: Error) => void
}

interface PendingTake {
  max: number
  resolve: (reply: Array<string | number>) => void
  reject: (err: Error) => void
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/**
 * What a worker needs of its queue (a Queue is one). Declared here rather than importing Queue:
 * Queue builds workers (`queue.process()`), so importing it back would make the two modules
 * depend on each other.
 */
export interface WorkerQueue<T = unknown, R = unknown> {
  readonly name: string
  readonly redis: RedisClient
  readonly keys: QueueKeys
  readonly options: NormalizedQueueOptions
  readonly codec: Codec
  /** Never called by the worker: it carries the job types, so `new Worker(queue, handler)` infers them from the queue. */
  process (handler: Processor<T, R>, opts?: WorkerOptions): unknown
}

export class Worker<T = unknown, R = unknown> extends EventEmitter {
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
  #takeKeys: string[]
  #takeArgs: Array<string | number>
  #bound: Bound

  constructor (queue: WorkerQueue<T, R>, handler: Processor<T, R>, opts: WorkerOptions = {}) {
    super()
    this.queue = queue
    this.#handler = handler
    this.#redis = queue.redis
    this.options = normalizeWorkerOptions(opts)
    this.id = randomBytes(6).toString('hex')
    const k = queue.keys
    const o = this.options
    this.#bound = boundFor(this.#redis, queue.options.commandTimeout)
    this.#takeKeys = [k.waiting, k.delayed, k.active, k.marker, k.events, k.meta, k.limiter, k.failed, k.completed]
    // index 2 is `max`, set per call; completions follow
    this.#takeArgs = [k.prefix, this.id, 0, o.lease, o.limitMax, o.limitDuration, o.globalConcurrency, o.maxStalls, queue.options.maxEvents]
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

  #error (err: unknown): void {
    if (this.#closing && (err as Error)?.message === 'Connection is closed.') return
    if (this.listenerCount('error') > 0) this.emit('error', err)
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
      let reply: Array<string | number>
      try {
        reply = await new Promise<Array<string | number>>((resolve, reject) => {
          this.#take = { max: free, resolve, reject }
          this.#schedule()
        })
        failures = 0
      } catch (err) {
        this.#error(err)
        // Redis down or slow: back off (capped), then try again.
        await this.#pause(Math.min(50 * 2 ** Math.min(failures++, 6), 2000))
        continue
      }
      const first = 3 + Number(reply[2])
      if (reply.length > first) {
        for (let at = first; at < reply.length; at += TAKE_FIELDS) this.#start(reply, at)
        continue
      }
      const code = Number(reply[0])
      const hint = Number(reply[1])
      if (code === TAKE_RATE_LIMITED) {
        await this.#pause(Math.max(hint, 1))
        continue
      }
      if (code === TAKE_OK && hint === 0) continue
      await this.#block(code === TAKE_OK && hint > 0 ? Math.min(hint, this.options.blockTimeout) : this.options.blockTimeout)
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
        this.#error(err)
        await this.#pause(100)
      }
    }
  }

  #start (reply: ReadonlyArray<string | number>, at: number): void {
    const ac = new AbortController()
    const job = activeJob<T>(reply, at, this.queue.codec, ac.signal, this.#progress)
    const r: Running<T> = { job, ac, settled: false, lost: false }
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
      ? this.#report(r, () => this.#complete(r.job.id, r.job.token, ret)).then(ok => { if (ok) this.emit('completed', r.job, result) })
      : this.#report(r, () => this.#fail(r.job, err)).then(ok => { if (ok) this.emit('failed', r.job, err) })
    this.#reporting.add(p)
    // Only this run's entry: a job this worker lost may already be running here again (taken
    // anew after its stall), and that run must keep its heartbeat and its hand-back on close.
    p.finally(() => {
      this.#reporting.delete(p)
      if (this.#running.get(r.job.id) === r) this.#running.delete(r.job.id)
    }).catch(() => {})
  }

  /**
   * Sends an outcome, retrying while Redis is unreachable (the heartbeat keeps the lease meanwhile).
   * Resolves true when recorded, false when the job was no longer ours.
   */
  async #report (r: Running<T>, send: () => Promise<boolean>): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        const ok = await send()
        if (!ok && !r.lost) { r.lost = true; this.emit('lost', r.job) }
        return ok
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
    const args = this.#takeArgs.slice()
    args[2] = take === null ? -1 : take.max
    args.push(batch.length)
    for (const c of batch) args.push(c.id, c.token, c.ret)
    this.#bound(scripts.run<Array<string | number>>(this.#redis, 'take', this.#takeKeys, args)).then(
      res => {
        for (let i = 0; i < batch.length; i++) batch[i].resolve(res[3 + i] === 1)
        take?.resolve(res)
      },
      err => {
        for (const c of batch) c.reject(err)
        take?.reject(err)
      }
    )
  }

  async #fail (job: ActiveJob<T>, err: Error): Promise<boolean> {
    const made = job.attemptsMade + 1
    const retry = made < job.attempts ? backoffDelay(job.backoff, made) : -1
    const k = this.queue.keys
    const entry = JSON.stringify({ attempt: made, error: err.message, stack: err.stack ?? '' })
    const code = await this.#bound(scripts.run<number>(this.#redis, 'fail',
      [k.active, k.failed, k.delayed, k.waiting, k.events, k.meta, k.marker],
      [k.prefix, this.queue.options.maxEvents, job.id, job.token, err.message, err.stack ?? '', retry, entry]))
    return code !== 0
  }

  #progress = async (id: string, token: string, p: unknown): Promise<boolean> => {
    const k = this.queue.keys
    const json = toJson(p ?? null, 'progress')
    return await this.#bound(scripts.run<number>(this.#redis, 'progress', [k.active, k.events],
      [k.prefix, this.queue.options.maxEvents, id, token, json])) === 1
  }

  /** Renews every lease this worker holds in one call; aborts the jobs it lost. */
  async #heartbeat (): Promise<void> {
    if (this.#running.size === 0) return
    const k = this.queue.keys
    const args: Array<string | number> = [k.prefix, this.options.lease, this.#running.size]
    // The runs this call speaks for: by the time the reply comes, a lost job may be running here
    // again under a new token, and that run must not be taken for the lost one.
    const sent = new Map<string, Running<T>>()
    for (const r of this.#running.values()) { sent.set(r.job.id, r); args.push(r.job.id, r.job.token) }
    try {
      const lost = await this.#bound(scripts.run<string[]>(this.#redis, 'extend', [k.active], args))
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
      const args = this.#takeArgs.slice()
      args[2] = 0
      args.push(0)
      await this.#bound(scripts.run(this.#redis, 'take', this.#takeKeys, args))
    } catch (err) {
      this.#error(err)
    }
  }

  /**
   * Graceful close: stops taking jobs, waits up to `timeout` ms (default closeTimeout) for running
   * jobs, then gives the leases of the unfinished ones back so another worker takes them at once.
   */
  close (timeout = this.options.closeTimeout): Promise<void> {
    if (this.#closed !== null) return this.#closed
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
        const k = this.queue.keys
        const args: Array<string | number> = [k.prefix, this.queue.options.maxEvents, unfinished.length]
        for (const r of unfinished) args.push(r.job.id, r.job.token)
        try {
          await this.#bound(scripts.run(this.#redis, 'release', [k.active, k.waiting, k.marker, k.events], args))
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

// The loop that turns due schedule ticks into jobs. Every Queue object that schedules or processes
// runs one; any number of them, in any number of processes, may run over the same queue: each due
// tick is claimed by one script (sched-tick-8.lua) that checks the tick is still the one read,
// adds its job(s) under deterministic ids and advances the schedule's next tick, so exactly one
// job is made per tick. Schedules live in Redis: a restarted app resumes them with its first loop,
// missed ticks handled by each schedule's `missed` policy (schedules.ts).
import * as calls from './calls.js'
import { encodeJobOptions, type EncodedJobOptions } from './options.js'
import { parseSpec, tickJobId, ticksToRun } from './schedules.js'

/** A due query reads at most this many schedules; more are taken on the next turn without waiting. */
const DUE_BATCH = 100
/** A cron that never runs again is parked here: never due, still listed. */
export const NEVER = Number.MAX_SAFE_INTEGER

export interface SchedulerHooks {
  /** A tick was claimed by this loop: the schedule, the tick, the jobs it added. */
  scheduled: (id: string, tick: number, jobIds: string[]) => void
  /** A turn failed (Redis down, ...): the loop keeps going at its interval. */
  failed: (err: unknown) => void
}

export class Scheduler {
  readonly #ctx: calls.QueueContext
  readonly #defaults: EncodedJobOptions
  readonly #interval: number
  readonly #hooks: SchedulerHooks
  #timer: NodeJS.Timeout | null = null
  #turn: Promise<void> | null = null
  #closed = false

  constructor (ctx: calls.QueueContext, defaults: EncodedJobOptions, interval: number, hooks: SchedulerHooks) {
    this.#ctx = ctx
    this.#defaults = defaults
    this.#interval = interval
    this.#hooks = hooks
  }

  /** Starts the loop (idempotent): the first turn runs at once. */
  start (): void {
    if (this.#closed || this.#timer !== null || this.#turn !== null) return
    this.#run()
  }

  #run (): void {
    this.#timer = null
    this.#turn = this.runOnce().then(more => more, (err: unknown) => { this.#hooks.failed(err); return false }).then(more => {
      this.#turn = null
      if (this.#closed) return
      // Unref'd: a schedule alone does not keep a process alive (a worker's loop does).
      this.#timer = setTimeout(() => this.#run(), more ? 0 : this.#interval).unref()
    })
  }

  /** One turn: claims every due tick it reads; true when more may be due (a full batch). */
  async runOnce (): Promise<boolean> {
    const { now, due } = await calls.scheduleDue(this.#ctx, DUE_BATCH)
    await Promise.all(due.map(async s => {
      const parsed = parseSpec(s.spec)
      if (parsed === null) return // removed between the reads, or not ours to read: left as it is
      const { spec, cron } = parsed
      const { ticks, next } = ticksToRun(spec, cron, s.next, now)
      const o = encodeJobOptions(spec.opts, this.#defaults)
      const args = calls.addArgs(this.#ctx, ticks.length)
      for (const tick of ticks) calls.addJobArgs(args, spec.name, spec.data, { ...o, jobId: tickJobId(s.id, tick) })
      const added = await calls.scheduleTick(this.#ctx, args, s, next ?? NEVER)
      if (added !== null) this.#hooks.scheduled(s.id, s.next, added.filter(a => a.created).map(a => a.id))
    }))
    return due.length === DUE_BATCH
  }

  /** Stops the loop and waits for a turn in progress. */
  async close (): Promise<void> {
    this.#closed = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    await this.#turn
  }
}

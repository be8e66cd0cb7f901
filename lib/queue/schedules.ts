// Repeatable jobs: what a schedule is (an interval or a cron expression in a time zone, and the
// job each tick adds), checked once and stored as JSON in the queue's schedules hash; and the tick
// arithmetic the scheduler (scheduler.ts) and Queue.schedule() share.
//
// Cron expressions are parsed by croner (no dependencies, IANA time zones through Intl, DST-aware,
// 5 or 6 fields: an optional leading seconds field).
import { Cron } from 'croner'
import { FRP_SCHEDULE_INVALID } from '../shared/errors.js'
import { describe, toMs, type Duration } from '../shared/options.js'
import type { Codec } from '../shared/codec.js'
import { encodeJobOptions, type EncodedJobOptions, type JobOptions } from './options.js'

/** When a schedule ticks: every `every` (aligned to the Unix epoch), or on a cron expression in `tz`. */
export type ScheduleTiming = { every: Duration } | { cron: string, tz?: string }

/** What to do with ticks missed while no instance ran the schedule (downtime). */
export type MissedTicks = 'once' | 'all'

/** The options of a scheduled job: every job option but `jobId` (one per tick) and `delay` (the tick is the time). */
export type ScheduledJobOptions = Omit<JobOptions, 'jobId' | 'delay'>

export interface ScheduledJob<T = unknown> {
  /** The job name every tick adds. */
  name: string
  data?: T
  opts?: ScheduledJobOptions
  /**
   * 'once' (default): however many ticks were missed, one job (for the first missed tick), then
   * the schedule resumes at its next tick after now. 'all': one job per missed tick, up to
   * MAX_CATCH_UP (the first ones; the rest are skipped).
   */
  missed?: MissedTicks
}

export interface ScheduleInfo<T = unknown> {
  id: string
  /** Interval in ms (interval schedules). */
  every?: number
  /** Cron expression and its time zone (cron schedules). */
  cron?: string
  tz?: string
  name: string
  data: T
  opts: ScheduledJobOptions
  missed: MissedTicks
  /** The next tick, ms since the Unix epoch (Redis time). */
  next: number
}

/** The stored form: key order fixed, so the same schedule registered by two instances is the same string. */
interface Spec { every?: number, cron?: string, tz?: string, name: string, data: string, opts: ScheduledJobOptions, missed: MissedTicks }

export const MIN_EVERY = 100
export const MAX_EVERY = 366 * 86_400_000
/** The most jobs one claim makes with missed: 'all'. */
export const MAX_CATCH_UP = 1000
const ID = /^[A-Za-z0-9_.:-]{1,100}$/

const invalid = (field: string, why: string): Error => new FRP_SCHEDULE_INVALID(field, why)

export function checkScheduleId (id: unknown): string {
  if (typeof id !== 'string' || !ID.test(id)) throw invalid('id', `must match ${ID.source}, got ${describe(id)}`)
  return id
}

function checkTimeZone (tz: unknown): string {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) throw invalid('tz', `must be an IANA time zone name, got ${describe(tz)}`)
  try {
    // eslint-disable-next-line no-new
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
  } catch {
    throw invalid('tz', `unknown time zone ${JSON.stringify(tz)}`)
  }
  return tz
}

function cronOf (expr: unknown, tz: string | undefined): Cron {
  if (typeof expr !== 'string' || expr.length === 0 || expr.length > 200) throw invalid('cron', `must be a cron expression of 1 to 200 characters, got ${describe(expr)}`)
  try {
    return new Cron(expr, { timezone: tz, paused: true })
  } catch (err) {
    throw invalid('cron', (err as Error).message)
  }
}

/** A checked schedule: its stored JSON, the cron parsed once, and the encoded job options. */
export interface CheckedSchedule { json: string, spec: Spec, cron: Cron | null, jobOptions: EncodedJobOptions }

/** Checks a schedule before anything is written: FRP_SCHEDULE_INVALID naming the field, or FRP_JOB_INVALID for a job option. */
export function checkSchedule (timing: ScheduleTiming, job: ScheduledJob, codec: Codec, defaults: EncodedJobOptions): CheckedSchedule {
  // The job first: a bad job option is named even when the timing is wrong too.
  if (typeof job !== 'object' || job === null) throw invalid('job', 'must be { name, data?, opts?, missed? }')
  for (const k of Object.keys(job)) if (!['name', 'data', 'opts', 'missed'].includes(k)) throw invalid(k, 'is not a scheduled job field (name, data, opts, missed)')
  if (typeof job.name !== 'string' || job.name.length === 0 || job.name.length > 200) throw invalid('name', 'must be a non-empty string of at most 200 characters')
  const missed = job.missed ?? 'once'
  if (missed !== 'once' && missed !== 'all') throw invalid('missed', `must be 'once' or 'all', got ${describe(missed)}`)
  const opts = job.opts ?? {}
  for (const k of ['jobId', 'delay']) {
    if ((opts as Record<string, unknown>)[k] !== undefined) throw invalid(`opts.${k}`, 'is set by the schedule (one job id per tick, due at its tick)')
  }
  const jobOptions = encodeJobOptions(opts, defaults)
  const data = job.data === undefined ? '' : codec.encode(job.data)
  if (typeof timing !== 'object' || timing === null) throw invalid('timing', 'must be { every } or { cron, tz? }')
  const t = timing as Record<string, unknown>
  for (const k of Object.keys(t)) if (!['every', 'cron', 'tz'].includes(k)) throw invalid(k, 'is not a schedule field (every, cron, tz)')
  if ((t.every === undefined) === (t.cron === undefined)) throw invalid('every', 'give exactly one of every and cron')
  if (t.every !== undefined && t.tz !== undefined) throw invalid('tz', 'applies to cron schedules only')
  let spec: Spec
  let cron: Cron | null = null
  if (t.every !== undefined) {
    const every = toMs(t.every, MIN_EVERY, MAX_EVERY, why => invalid('every', why))
    spec = { every, name: job.name, data, opts, missed }
  } else {
    const tz = t.tz === undefined ? undefined : checkTimeZone(t.tz)
    cron = cronOf(t.cron, tz)
    if (cron.nextRun() === null) throw invalid('cron', `${JSON.stringify(t.cron)} never runs`)
    spec = { cron: t.cron as string, ...(tz === undefined ? {} : { tz }), name: job.name, data, opts, missed }
  }
  return { json: JSON.stringify(spec), spec, cron, jobOptions }
}

/** The stored spec back, with its cron parsed (a spec written by a newer version may fail: null). */
export function parseSpec (json: string): { spec: Spec, cron: Cron | null } | null {
  try {
    const spec = JSON.parse(json) as Spec
    return { spec, cron: spec.cron === undefined ? null : new Cron(spec.cron, { timezone: spec.tz, paused: true }) }
  } catch {
    return null
  }
}

/** The first tick strictly after `after` (ms), or null when a cron expression never runs again. */
export function tickAfter (spec: Spec, cron: Cron | null, after: number): number | null {
  if (spec.every !== undefined) return Math.floor(after / spec.every) * spec.every + spec.every
  return cron!.nextRun(new Date(after))?.getTime() ?? null
}

/**
 * The ticks one claim of due tick `due` turns into jobs at Redis time `now` (missed: 'once' → the
 * due tick alone; 'all' → every tick from `due` up to `now`, at most MAX_CATCH_UP), and the next
 * tick after `now`.
 */
export function ticksToRun (spec: Spec, cron: Cron | null, due: number, now: number): { ticks: number[], next: number | null } {
  const ticks = [due]
  if (spec.missed === 'all') {
    for (let t = tickAfter(spec, cron, due); t !== null && t <= now && ticks.length < MAX_CATCH_UP; t = tickAfter(spec, cron, t)) ticks.push(t)
  }
  return { ticks, next: tickAfter(spec, cron, Math.max(now, due)) }
}

/** The job id of tick `tick` of schedule `id`: the same on every instance, so a tick makes one job. */
export function tickJobId (id: string, tick: number): string {
  return `repeat:${id}:${tick}`
}

export function scheduleInfo<T> (id: string, spec: Spec, next: number, codec: Codec): ScheduleInfo<T> {
  const timing = spec.every !== undefined ? { every: spec.every } : { cron: spec.cron, ...(spec.tz === undefined ? {} : { tz: spec.tz }) }
  return { id, ...timing, name: spec.name, data: (spec.data === '' ? undefined : codec.decode(spec.data)) as T, opts: spec.opts, missed: spec.missed, next }
}

export type { JobOptions }

// Options of the activity core, checked and normalized once, at construction.
import { invalid, optDuration, optInt, optString, rejectUnknown, describe, type Duration } from '../shared/options.js'
import { DAY_MS } from './days.js'

export interface ActivityOptions {
  /** Global key prefix (keys are `prefix:activity:{name}:YYYY-MM-DD`). Default 'frp'. */
  prefix?: string
  /**
   * What is counted, e.g. 'active', 'login', 'purchase' (one Activity per name). All the days of
   * one name share a hash tag: one Cluster slot. Default 'active'.
   */
  name?: string
  /**
   * Highest user id (0 to 2^32 - 1). A bitmap is as long as its highest bit: one day key takes up
   * to maxUserId / 8 bytes. Higher ids are refused with FRP_ACTIVITY_USER_ID. Default 10,000,000 (1.25 MB).
   */
  maxUserId?: number
  /** How long a day is kept after it ends: ms or a duration string, at least 30 days (a month's count needs them). Default '90d'. */
  retention?: Duration
  /** How long a weekly or monthly count is reused (0: never cached). Default '60s'. */
  countCacheTtl?: Duration
  /** The IANA time zone days are dated in (e.g. 'Europe/Paris'). Default: UTC. */
  timeZone?: string
  /** Bound of every Redis command: ms or a duration string. Default 1000. */
  commandTimeout?: Duration
}

export interface NormalizedActivityOptions {
  prefix: string
  name: string
  maxUserId: number
  retention: number
  /** Whole days kept: the number of day keys a streak reads. */
  retentionDays: number
  countCacheTtl: number
  timeZone: string | undefined
  commandTimeout: number
}

const MAX_RETENTION = 3 * 366 * DAY_MS

function normalizeTimeZone (value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw invalid('activity.timeZone', `must be an IANA time zone name, got ${describe(value)}`)
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: value }).resolvedOptions().timeZone
  } catch {
    throw invalid('activity.timeZone', `is not a time zone this Node.js knows, got ${describe(value)}`)
  }
}

export function normalizeActivityOptions (opts: ActivityOptions): NormalizedActivityOptions {
  rejectUnknown('activity', opts, ['prefix', 'name', 'maxUserId', 'retention', 'countCacheTtl', 'timeZone', 'commandTimeout'])
  const retention = optDuration('activity.retention', opts.retention, 90 * DAY_MS, 30 * DAY_MS, MAX_RETENTION)
  return {
    prefix: optString('activity.prefix', opts.prefix, 'frp'),
    name: optString('activity.name', opts.name, 'active'),
    maxUserId: optInt('activity.maxUserId', opts.maxUserId, 10_000_000, 0, 2 ** 32 - 1),
    retention,
    retentionDays: Math.floor(retention / DAY_MS),
    countCacheTtl: optDuration('activity.countCacheTtl', opts.countCacheTtl, 60_000, 0, 2 ** 31 - 1),
    timeZone: normalizeTimeZone(opts.timeZone),
    commandTimeout: optDuration('activity.commandTimeout', opts.commandTimeout, 1000, 1, 2 ** 31 - 1)
  }
}

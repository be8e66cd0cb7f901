// Shared by the activity tests: a core on a fresh prefix, and day arithmetic.
import type { Redis, Cluster } from 'ioredis'
import { Activity } from '../../lib/activity/activity.js'
import type { ActivityOptions } from '../../lib/activity/options.js'

let n = 0

/** An Activity on its own prefix, so the subtests of one file never share keys. */
export function activity (redis: Redis | Cluster, options: ActivityOptions = {}): Activity {
  return new Activity(redis, { prefix: `act${++n}`, ...options })
}

/** `day` ('YYYY-MM-DD') moved by `by` days. */
export function shift (day: string, by: number): string {
  return new Date(Date.parse(day + 'T00:00:00Z') + by * 86_400_000).toISOString().slice(0, 10)
}

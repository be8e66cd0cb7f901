// Key layout of one queue. Every key shares the `{queue name}` hash tag, so all of a queue lives in
// one Cluster slot and every script may touch job hashes it builds from the prefix.
import { keySpace } from '../shared/keys.js'

export interface QueueKeys {
  /** `prefix:queue:{name}:` — job hashes are `<prefix>job:<id>`, dedup markers `<prefix>uniq:<jobId>`. */
  readonly prefix: string
  readonly id: string
  /** Prioritized waiting jobs (sorted set: id -> priority * 2^33 + sequence). */
  readonly waiting: string
  /** Priority-0 waiting jobs (list, FIFO: pushed at the tail, taken from the head); taken before `waiting`. */
  readonly waitList: string
  readonly delayed: string
  readonly active: string
  readonly completed: string
  readonly failed: string
  readonly marker: string
  readonly events: string
  readonly meta: string
  readonly limiter: string
  /** Schedules (hash: id -> spec JSON) and their next ticks (zset: id -> ms). */
  readonly schedules: string
  readonly scheduleNext: string
  job (id: string): string
}

export function queueKeys (prefix: string, name: string): QueueKeys {
  const ks = keySpace(prefix, 'queue')
  const k = (part: string): string => ks.key(name, part)
  const base = ks.tagged(name) + ':'
  return {
    prefix: base,
    id: k('id'),
    waiting: k('waiting'),
    // Built from the prefix by the scripts too (_waiting.lua): `<prefix>wait`.
    waitList: base + 'wait',
    delayed: k('delayed'),
    active: k('active'),
    completed: k('completed'),
    failed: k('failed'),
    marker: k('marker'),
    events: k('events'),
    meta: k('meta'),
    limiter: k('limiter'),
    schedules: k('schedules'),
    scheduleNext: k('schedule-next'),
    job: (id: string) => base + 'job:' + id
  }
}

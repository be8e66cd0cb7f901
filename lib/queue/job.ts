// What a job looks like to callers, decoded from its hash. Field names in Redis are short because
// every job stores them; this is the one place that maps them.
import type { Codec } from '../shared/codec.js'
import type { Backoff } from './backoff.js'

export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed'
export const JOB_STATES: readonly JobState[] = ['waiting', 'delayed', 'active', 'completed', 'failed']

export interface AttemptRecord {
  /** Redis time the attempt failed, ms. */
  at: number
  attempt: number
  error: string
  stack?: string
}

export interface JobRecord<T = unknown, R = unknown> {
  id: string
  name: string
  data: T
  state: JobState
  priority: number
  attempts: number
  attemptsMade: number
  stalls: number
  progress: unknown
  returnValue: R | undefined
  failedReason: string | undefined
  stacktrace: string | undefined
  /** Failed attempts, oldest first (the last `attemptHistory`, default 50; none with 0). */
  history: AttemptRecord[]
  createdAt: number
  processedAt: number | undefined
  finishedAt: number | undefined
  /** When a delayed job becomes due (Redis clock, ms). */
  delayUntil: number | undefined
  backoff: Backoff | null
  timeout: number
}

function num (v: string | undefined): number | undefined {
  return v === undefined || v === '' ? undefined : Number(v)
}

/** Decodes an encoded value; '' is "no value" (a handler that returned undefined). */
export function decodeValue (codec: Codec, raw: string | undefined): unknown {
  return raw === undefined || raw === '' ? undefined : codec.decode(raw)
}

export function decodeJob<T, R> (id: string, h: Record<string, string>, codec: Codec): JobRecord<T, R> {
  return {
    id,
    name: h.name,
    data: decodeValue(codec, h.data) as T,
    state: h.st as JobState,
    priority: Number(h.prio ?? 0),
    attempts: Number(h.att ?? 1),
    attemptsMade: Number(h.made ?? 0),
    stalls: Number(h.stl ?? 0),
    progress: h.prog === undefined ? undefined : JSON.parse(h.prog),
    returnValue: decodeValue(codec, h.ret) as R | undefined,
    failedReason: h.err,
    stacktrace: h.stack === '' ? undefined : h.stack,
    history: h.hist === undefined ? [] : JSON.parse(h.hist),
    createdAt: Number(h.ts),
    processedAt: num(h.pOn),
    finishedAt: num(h.fOn),
    delayUntil: h.st === 'delayed' ? num(h.due) : undefined,
    backoff: h.bo === undefined || h.bo === '' ? null : JSON.parse(h.bo),
    timeout: Number(h.to ?? 0)
  }
}

// The job as a handler sees it: its data, its attempt, its abort signal and progress reporting.
import type { Codec } from '../shared/codec.js'
import { decodeValue } from './job.js'
import type { Backoff } from './backoff.js'
import type { TakenJob } from './calls.js'

export interface ActiveJob<T = unknown> {
  readonly id: string
  readonly name: string
  readonly data: T
  /** Attempts in total. */
  readonly attempts: number
  /** Attempts finished before this one (0 on the first run). */
  readonly attemptsMade: number
  /** Times this job lost its lease before (a worker crashed or stalled while running it). */
  readonly stalls: number
  readonly createdAt: number
  /** The owner token of this attempt: completions with another token are refused. */
  readonly token: string
  readonly timeout: number
  readonly backoff: Backoff | null
  /** Aborted on timeout, on lease loss, and when a closing worker gives the job back. */
  readonly signal: AbortSignal
  /** Stores progress (any JSON value) and emits a `progress` event; false if the lease is lost. */
  updateProgress (progress: unknown): Promise<boolean>
}

/** The job a handler gets for a run taken by its worker (`taken`, decoded from take-9.lua). */
export function activeJob<T> (
  taken: TakenJob, codec: Codec, signal: AbortSignal,
  progress: (id: string, token: string, p: unknown) => Promise<boolean>
): ActiveJob<T> {
  const { id, token } = taken
  return {
    id,
    token,
    name: taken.name,
    data: decodeValue(codec, taken.data) as T,
    attempts: taken.attempts,
    attemptsMade: taken.attemptsMade,
    backoff: taken.backoff,
    timeout: taken.timeout,
    createdAt: taken.createdAt,
    stalls: taken.stalls,
    signal,
    updateProgress: (p: unknown) => progress(id, token, p)
  }
}

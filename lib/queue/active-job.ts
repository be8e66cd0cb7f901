// The job as a handler sees it: its data, its attempt, its abort signal and progress reporting.
import type { Codec } from '../shared/codec.js'
import { decodeValue } from './job.js'
import type { Backoff } from './backoff.js'

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

/** Number of values per job in a take reply (take-9.lua). */
export const TAKE_FIELDS = 10

export function activeJob<T> (
  reply: ReadonlyArray<string | number>, at: number, codec: Codec, signal: AbortSignal,
  progress: (id: string, token: string, p: unknown) => Promise<boolean>
): ActiveJob<T> {
  const id = String(reply[at])
  const token = String(reply[at + 1])
  const bo = String(reply[at + 6])
  return {
    id,
    token,
    name: String(reply[at + 2]),
    data: decodeValue(codec, String(reply[at + 3])) as T,
    attempts: Number(reply[at + 4]),
    attemptsMade: Number(reply[at + 5]),
    backoff: bo === '' ? null : JSON.parse(bo),
    timeout: Number(reply[at + 7]),
    createdAt: Number(reply[at + 8]),
    stalls: Number(reply[at + 9]),
    signal,
    updateProgress: (p: unknown) => progress(id, token, p)
  }
}

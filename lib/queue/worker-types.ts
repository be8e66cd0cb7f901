// The types a worker is built from and speaks: the processor it runs, the events it emits and
// what it needs of its queue. Kept apart from worker.ts so the worker file is its loop alone.
import type { ActiveJob } from './active-job.js'
import type { NormalizedQueueOptions, WorkerOptions } from './options.js'
import type { QueueKeys } from './keys.js'
import type { RedisClient } from '../shared/connection.js'
import type { Codec } from '../shared/codec.js'

export type Processor<T = unknown, R = unknown> = (job: ActiveJob<T>, signal: AbortSignal) => Promise<R> | R

/**
 * The events of a Worker: event name → listener arguments. `durationMs` is how long the handler
 * ran (ms, monotonic clock), measured for runs that started while the worker had a `completed` or
 * `failed` listener (-1 otherwise: attach listeners before jobs run).
 */
export interface WorkerEvents<T = unknown, R = unknown> {
  /** A run's result was recorded. */
  completed: [job: ActiveJob<T>, result: R, durationMs: number]
  /** A failed attempt was recorded; `final`: no attempt follows (the job is in failed). */
  failed: [job: ActiveJob<T>, err: Error, durationMs: number, final: boolean]
  /** The run's lease was lost (its outcome is not recorded; the job runs again elsewhere). */
  lost: [job: ActiveJob<T>]
  /** A Redis call failed (coded: FRP_REDIS_UNAVAILABLE, FRP_REDIS_TIMEOUT, …); only emitted when someone listens. */
  error: [err: Error]
  /** close() finished. */
  closed: []
}

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

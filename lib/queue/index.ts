// The queue pattern's public surface.
export { Queue, type BulkJob, type JobCounts, type QueueEventMap } from './queue.js'
export type { AddResult } from './calls.js'
export { Worker, type Processor, type WorkerEvents, type WorkerQueue } from './worker.js'
export { QueueEvents, type QueueEvent, type QueueEventName, type QueueEventsEvents, type QueueEventsOptions } from './events.js'
export type { ActiveJob } from './active-job.js'
export type { JobRecord, JobState, AttemptRecord } from './job.js'
export { MAX_PRIORITY, type JobOptions, type QueueOptions, type WorkerOptions, type Retention } from './options.js'
export type { Backoff } from './backoff.js'

// What the workers of the plugin's queues log: each failed attempt of a job as one warn line
// (queue, job id, attempt, message; the stack at debug, where it does not flood a warn-level log),
// and their Redis failures through the plugin's outage log (one warn per outage, not one per retry
// of the take loop). Workers are attached as `queue.process()` starts them.
import type { FastifyBaseLogger } from 'fastify'
import type { Queue } from '../../lib/queue/queue.js'
import type { Worker } from '../../lib/queue/worker.js'
import type { OutageLog } from '../shared/outage-log.js'

export function logWorkers (queue: Queue<any, any>, outage: OutageLog, log: FastifyBaseLogger): void {
  queue.on('worker', (worker: Worker<any, any>) => {
    worker.on('error', err => {
      // Not an outage (a script bug, a corrupt key): each one is news.
      if (!outage.failed(err)) log.warn({ queue: queue.name, err }, `queue: worker of ${queue.name} failed a Redis call`)
    })
    worker.on('failed', (job, err, _durationMs, final) => {
      const attempt = job.attemptsMade + 1
      const fields = { queue: queue.name, jobId: job.id, name: job.name, attempt, attempts: job.attempts, final }
      log.warn({ ...fields, error: err.message }, `queue: job ${job.id} of ${queue.name} failed on attempt ${attempt} of ${job.attempts}${final ? ', no attempt left' : ', will retry'}: ${err.message}`)
      log.debug({ ...fields, err }, `queue: job ${job.id} of ${queue.name} failed`)
    })
  })
}

// Queue metrics: jobs per state read from Redis at scrape time (one pipelined round trip per
// queue, kept for `countsFor` so several scrapers do not multiply the reads), and, from this
// app's workers, finished runs by outcome, stall recoveries, run time and the wait before a
// job's first run.
import type { Queue } from '../../lib/queue/queue.js'
import type { ActiveJob } from '../../lib/queue/active-job.js'
import type { Worker } from '../../lib/queue/worker.js'
import { watchCores } from '../shared/cores.js'
import { onFirst, talliedCounter, gauge, histogram, listen, type MetricsContext } from './context.js'

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const

interface Counted { at: number, counts: Promise<Record<(typeof STATES)[number], number> | null> }

export function queueMetrics (ctx: MetricsContext, countsFor: number): void {
  ctx.cleanup.push(watchCores(ctx.fastify, 'queue', onFirst(() => {
    const queues = new Map<string, Queue>()
    const cached = new Map<string, Counted>()

    function countsOf (q: Queue): Counted['counts'] {
      const hit = cached.get(q.name)
      if (hit !== undefined && performance.now() - hit.at < countsFor) return hit.counts
      // A queue whose Redis is down reports no gauge values rather than failing the whole scrape.
      const counts = q.counts().then(c => c, () => null)
      cached.set(q.name, { at: performance.now(), counts })
      return counts
    }

    gauge(ctx, {
      name: 'frp_queue_jobs',
      help: 'Jobs per queue and state, read from Redis at scrape time.',
      labelNames: ['queue', 'state'],
      async collect () {
        this.reset()
        await Promise.all([...queues.values()].map(async q => {
          const c = await countsOf(q)
          if (c !== null) for (const state of STATES) this.set({ queue: q.name, state }, c[state])
        }))
      }
    })
    const finished = talliedCounter(ctx, {
      name: 'frp_queue_jobs_finished_total',
      help: 'Job runs finished by this app\'s workers: completed, failed (no attempt left) or retried (another attempt follows).',
      labelNames: ['queue', 'outcome']
    })
    const stalled = talliedCounter(ctx, {
      name: 'frp_queue_stalled_total',
      help: 'Runs by this app\'s workers of jobs that had stalled before (a worker lost the lease while running them), counted when the run ends.',
      labelNames: ['queue']
    })
    const duration = histogram(ctx, { name: 'frp_queue_job_duration_seconds', help: 'Run time of a job attempt.', labelNames: ['queue'], buckets: ctx.jobBuckets })
    const wait = histogram(ctx, { name: 'frp_queue_job_wait_seconds', help: 'Time from enqueue to the start of a job\'s first attempt.', labelNames: ['queue'], buckets: ctx.jobBuckets })

    function ran (queue: string, job: ActiveJob, ms: number, outcome: string): void {
      finished.add(queue + '\n' + outcome, () => ({ queue, outcome }))
      if (job.stalls > 0) stalled.add(queue, () => ({ queue }))
      duration.observe({ queue }, ms / 1000)
      // createdAt is Redis time and now is this host's: a small skew is clamped, not reported.
      if (job.attemptsMade === 0) wait.observe({ queue }, Math.max(0, Date.now() - ms - job.createdAt) / 1000)
    }

    function watchWorker (queue: string, w: Worker<any, any>): void {
      listen(ctx, w, 'completed', (job: ActiveJob, _result: unknown, ms: number) => { ran(queue, job, ms, 'completed') })
      listen(ctx, w, 'failed', (job: ActiveJob, _err: Error, ms: number, final: boolean) => { ran(queue, job, ms, final ? 'failed' : 'retried') })
    }

    return q => {
      queues.set(q.name, q)
      for (const w of q.workers) watchWorker(q.name, w)
      listen(ctx, q, 'worker', (w: Worker<any, any>) => { watchWorker(q.name, w) })
    }
  })))
}

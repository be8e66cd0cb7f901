// The queues section: pages, JSON API and actions, all on the Queue cores the queue plugin
// announced. Every read is bounded whatever a queue holds: counts are ZCARDs, a job list is one
// cursor page (O(log N + page)), throughput 60 small hashes.
import type { FastifyInstance, FastifySchema } from 'fastify'
import type { Queue } from '../../lib/queue/queue.js'
import { JOB_STATES, type JobState } from '../../lib/queue/job.js'
import { FRP_JOB_NOT_FOUND, FRP_QUEUE_NOT_FOUND } from '../../lib/shared/errors.js'
import { counts as countsSchema, jobRecord } from '../queue/route-schemas.js'
import { dashboardErrors } from './responses.js'
import { registerAction, type Action } from './actions.js'
import { path, query } from './html.js'
import { jobPage, queuePage, queuesTable } from './queue-views.js'
import type { DashboardContext } from './context.js'

interface QP { queue: string }
interface JP { queue: string, id: string }
interface ListQ { state: JobState, cursor?: string, limit?: number }

const tags = ['dashboard']
const queueName = { type: 'string', minLength: 1, maxLength: 200 }
const jobId = { type: 'string', minLength: 1, maxLength: 256 }
const queueParams = { type: 'object', required: ['queue'], properties: { queue: queueName } }
const jobParams = { type: 'object', required: ['queue', 'id'], properties: { queue: queueName, id: jobId } }
const listQuery = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: [...JOB_STATES], default: 'waiting', description: 'jobs in this state' },
    cursor: { type: 'string', maxLength: 300, description: 'the `next` of the previous page' },
    limit: { type: 'integer', minimum: 1, maximum: 200, description: 'jobs per page (default: the plugin\'s pageSize)' },
    done: { type: 'string', maxLength: 40 }
  }
}
const throughput = {
  type: 'array',
  description: 'oldest minute first, the current one last',
  items: { type: 'object', properties: { at: { type: 'integer', description: 'start of the minute, Redis time, ms' }, completed: { type: 'integer' }, failed: { type: 'integer' } } }
}
const NO_QUEUE = 'Unknown queue (FRP_QUEUE_NOT_FOUND)'
const errs = dashboardErrors
const page = { hide: true } as never

export function queueRoutes (scope: FastifyInstance, ctx: DashboardContext): void {
  const find = (name: string): Queue<unknown, unknown> => {
    const q = ctx.sources.queues.get(name)
    if (q === undefined) throw new FRP_QUEUE_NOT_FOUND(name)
    return q
  }
  const all = async (): Promise<Array<{ name: string, counts: Awaited<ReturnType<Queue['counts']>> }>> =>
    await Promise.all([...ctx.sources.queues.keys()].sort().map(async name => ({ name, counts: await find(name).counts() })))
  const jobOf = async (queue: string, id: string): Promise<NonNullable<Awaited<ReturnType<Queue['getJob']>>>> => {
    const job = await find(queue).getJob(id)
    if (job === null) throw new FRP_JOB_NOT_FOUND(id)
    return job
  }

  // --- pages --------------------------------------------------------------------------------
  scope.get('/queues', { schema: page, config: { dashboardHtml: true } as never }, async (request, reply) => {
    const pctx = ctx.pageContext(request, reply)
    return ctx.sendPage(reply, pctx, 'queues', 'Queues', queuesTable(pctx, await all()))
  })

  scope.get<{ Params: QP, Querystring: ListQ }>('/queues/:queue', {
    schema: { hide: true, params: queueParams, querystring: listQuery } as never, config: { dashboardHtml: true } as never
  }, async (request, reply) => {
    const q = find(request.params.queue)
    const { state, cursor } = request.query
    const [counts, minutes, jobs] = await Promise.all([q.counts(), q.throughput(), q.getJobsPage(state, { cursor: cursor ?? null, limit: ctx.pageSize })])
    const pctx = ctx.pageContext(request, reply)
    return ctx.sendPage(reply, pctx, 'queues', `Queue ${q.name}`, queuePage(pctx, q.name, counts, minutes, state, jobs, cursor ?? null))
  })

  scope.get<{ Params: JP }>('/queues/:queue/jobs/:id', {
    schema: { hide: true, params: jobParams } as never, config: { dashboardHtml: true } as never
  }, async (request, reply) => {
    const job = await jobOf(request.params.queue, request.params.id)
    const pctx = ctx.pageContext(request, reply)
    return ctx.sendPage(reply, pctx, 'queues', `Job ${job.id}`, jobPage(pctx, request.params.queue, job))
  })

  // --- JSON API -----------------------------------------------------------------------------
  scope.get('/api/queues', {
    schema: {
      tags,
      summary: 'List queues with their counts',
      description: 'Every queue the app has made (declared or created on first use), with its job counts per state.',
      response: {
        200: { type: 'object', description: 'The queues', properties: { queues: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, counts: countsSchema } } } } },
        ...errs()
      }
    } as FastifySchema
  }, async () => ({ queues: await all() }))

  scope.get<{ Params: QP, Querystring: { minutes: number } }>('/api/queues/:queue/throughput', {
    schema: {
      tags,
      summary: 'Jobs finished per minute',
      description: 'Jobs completed and failed for good per minute over the last `minutes` (default 60), from per-minute counters the queue scripts keep for 2 hours.',
      params: queueParams,
      querystring: { type: 'object', properties: { minutes: { type: 'integer', minimum: 1, maximum: 120, default: 60 } } },
      response: { 200: { type: 'object', description: 'The minutes', properties: { minutes: throughput } }, ...errs({ 404: NO_QUEUE }) }
    } as FastifySchema
  }, async request => ({ minutes: await find(request.params.queue).throughput({ minutes: request.query.minutes }) }))

  scope.get<{ Params: QP, Querystring: ListQ }>('/api/queues/:queue/jobs', {
    schema: {
      tags,
      summary: 'A page of jobs in one state',
      description: 'Jobs in `state`, in the order workers take them (newest first for completed and failed), one page after `cursor`: each page costs O(log N + limit), however deep.',
      params: queueParams,
      querystring: listQuery,
      response: {
        200: { type: 'object', description: 'The page', properties: { jobs: { type: 'array', items: jobRecord }, next: { type: 'string', nullable: true, description: 'cursor of the next page; null on the last' } } },
        ...errs({ 404: NO_QUEUE })
      }
    } as FastifySchema
  }, async request => await find(request.params.queue).getJobsPage(request.query.state, { cursor: request.query.cursor ?? null, limit: request.query.limit ?? ctx.pageSize }))

  scope.get<{ Params: QP }>('/api/queues/:queue', {
    schema: {
      tags,
      summary: 'A queue\'s counts',
      description: 'Job counts per state and whether the queue is paused.',
      params: queueParams,
      response: { 200: { type: 'object', description: 'The queue', properties: { name: { type: 'string' }, counts: countsSchema } }, ...errs({ 404: NO_QUEUE }) }
    } as FastifySchema
  }, async request => {
    const q = find(request.params.queue)
    return { name: q.name, counts: await q.counts() }
  })

  scope.get<{ Params: JP }>('/api/queues/:queue/jobs/:id', {
    schema: {
      tags,
      summary: 'A job',
      description: 'The job record: data, state, attempts with their errors and stacks, progress, timestamps.',
      params: jobParams,
      response: { 200: { ...jobRecord, description: 'The job' }, ...errs({ 404: 'Unknown queue or job (FRP_QUEUE_NOT_FOUND, FRP_JOB_NOT_FOUND)' }) }
    } as FastifySchema
  }, async request => await jobOf(request.params.queue, request.params.id))

  // --- actions ------------------------------------------------------------------------------
  const qActions: Array<Action<QP, any>> = [
    {
      id: 'queue-pause',
      path: '/queues/:queue/pause',
      done: 'Queue paused: workers take no new job (running ones finish).',
      summary: 'Pause a queue',
      description: 'Stops every worker of the queue from taking jobs.',
      tags,
      params: { queue: queueName },
      errors: { 404: NO_QUEUE },
      run: async req => { await find(req.params.queue).pause(); return { back: path(ctx.prefix, 'queues', req.params.queue) } }
    },
    {
      id: 'queue-resume',
      path: '/queues/:queue/resume',
      done: 'Queue resumed.',
      summary: 'Resume a queue',
      description: 'Lets the workers take jobs again.',
      tags,
      params: { queue: queueName },
      errors: { 404: NO_QUEUE },
      run: async req => { await find(req.params.queue).resume(); return { back: path(ctx.prefix, 'queues', req.params.queue) } }
    },
    {
      id: 'queue-retry-failed',
      path: '/queues/:queue/retry-failed',
      done: 'Failed jobs moved back to waiting.',
      summary: 'Retry every failed job',
      description: 'Moves every failed job back to waiting with a fresh attempt budget, oldest failure first, in batches of 100.',
      tags,
      params: { queue: queueName },
      confirm: 'Move every failed job back to waiting',
      errors: { 404: NO_QUEUE },
      run: async req => {
        const retried = await find(req.params.queue).retryFailed()
        return { back: path(ctx.prefix, 'queues', req.params.queue) + query({ state: 'waiting' }), result: { retried } }
      }
    },
    {
      id: 'queue-clean',
      path: '/queues/:queue/clean',
      done: 'Old finished jobs removed.',
      summary: 'Clean finished jobs',
      description: 'Removes up to 10,000 completed or failed jobs that finished more than `ageMinutes` minutes ago.',
      tags,
      params: { queue: queueName },
      body: {
        properties: {
          state: { type: 'string', enum: ['completed', 'failed'] },
          ageMinutes: { type: 'integer', minimum: 0, maximum: 5_256_000, description: 'minutes since the job finished' }
        },
        required: ['state', 'ageMinutes']
      },
      confirm: 'Delete these jobs',
      errors: { 404: NO_QUEUE, 415: 'The body\'s content type has no parser' },
      run: async req => {
        const body = req.body as { state: 'completed' | 'failed', ageMinutes: number }
        const removed = await find(req.params.queue).clean(body.state, { age: body.ageMinutes * 60_000, limit: 10_000 })
        return { back: path(ctx.prefix, 'queues', req.params.queue) + query({ state: body.state }), result: { removed: removed.length } }
      }
    }
  ]
  const JOB_ERRORS = { 404: 'Unknown queue or job (FRP_QUEUE_NOT_FOUND, FRP_JOB_NOT_FOUND)' }
  const jActions: Array<Action<JP, unknown>> = [
    {
      id: 'job-retry',
      path: '/queues/:queue/jobs/:id/retry',
      done: 'Job moved back to waiting.',
      summary: 'Retry a job',
      description: 'Moves a failed (or completed) job back to waiting with a fresh attempt budget.',
      tags,
      params: { queue: queueName, id: jobId },
      errors: { ...JOB_ERRORS, 409: 'The job is neither failed nor completed (FRP_JOB_STATE)' },
      run: async req => { await find(req.params.queue).retry(req.params.id); return { back: path(ctx.prefix, 'queues', req.params.queue, 'jobs', req.params.id) } }
    },
    {
      id: 'job-promote',
      path: '/queues/:queue/jobs/:id/promote',
      done: 'Job promoted: it runs as soon as a worker is free.',
      summary: 'Promote a delayed job',
      description: 'Makes a delayed job due now, behind the jobs already waiting.',
      tags,
      params: { queue: queueName, id: jobId },
      errors: { ...JOB_ERRORS, 409: 'The job is not delayed (FRP_JOB_STATE)' },
      run: async req => { await find(req.params.queue).promote(req.params.id); return { back: path(ctx.prefix, 'queues', req.params.queue, 'jobs', req.params.id) } }
    },
    {
      id: 'job-remove',
      path: '/queues/:queue/jobs/:id/remove',
      done: 'Job removed.',
      summary: 'Remove a job',
      description: 'Deletes a job no worker holds.',
      tags,
      params: { queue: queueName, id: jobId },
      confirm: 'Delete this job',
      errors: { ...JOB_ERRORS, 409: 'The job is active: a worker owns it (FRP_JOB_ACTIVE)' },
      run: async req => { await find(req.params.queue).remove(req.params.id); return { back: path(ctx.prefix, 'queues', req.params.queue) } }
    }
  ]
  for (const a of qActions) registerAction(scope, ctx.flashes, a)
  for (const a of jActions) registerAction(scope, ctx.flashes, a)
}

// Fastify adapter of the queue: `fastify.queue(name)`, workers closed on `app.close()`, and
// optional JSON-schema validated HTTP routes.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { Queue } from '../lib/queue/queue.js'
import type { JobOptions, QueueOptions } from '../lib/queue/options.js'
import type { JobState } from '../lib/queue/job.js'
import { queueRouteSchemas } from './queue/route-schemas.js'
import { scheduleRouteSchemas } from './queue/schedule-schemas.js'
import type { ScheduledJob, ScheduleTiming } from '../lib/queue/schedules.js'
import { resolveClient } from './shared/redis-client.js'
import { checkAtStartup } from './shared/startup.js'
import { outageLog, type OutageLog } from './shared/outage-log.js'
import { logWorkers } from './queue/worker-log.js'
import { announceCore } from './shared/cores.js'
import { routeHooks, type RouteHookOptions, type RouteHooks } from './shared/route-hooks.js'
import { FRP_JOB_NOT_FOUND, FRP_QUEUE_NOT_FOUND, FRP_SCHEDULE_NOT_FOUND } from '../lib/shared/errors.js'
import { optInt, optString, rejectUnknown } from '../lib/shared/options.js'
import type { RedisClient } from '../lib/shared/connection.js'

/**
 * `onRequest` / `preHandler` run on every queue route: put authentication in `onRequest`, so an
 * unauthorised client is refused before its body is parsed or validated.
 */
export interface QueueRoutesOptions extends RouteHookOptions {
  /** URL prefix of the routes (default '/queues'). */
  prefix?: string
  /** Largest accepted request body in bytes (default 1 MiB): larger bodies get 413. */
  bodyLimit?: number
}

export interface RedisQueuePluginOptions {
  /** The ioredis client to use (default: `fastify.redis`, or `fastify.redis[namespace]`). */
  client?: RedisClient
  /** @fastify/redis namespace to take the client from. */
  namespace?: string
  /** Options of every queue (prefix, commandTimeout, maxEvents, attemptHistory, dedupWindow, defaultJobOptions, codec). */
  queueOptions?: QueueOptions
  /** Queues known up front (names, or names to per-queue options); the routes serve only known queues. */
  queues?: string[] | Record<string, QueueOptions>
  /** Expose HTTP routes (default false). */
  routes?: boolean | QueueRoutesOptions
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The queue `name` (created on first use; workers started from it close with the app). */
    queue: <T = unknown, R = unknown>(name: string) => Queue<T, R>
  }
}

const plugin: FastifyPluginAsync<RedisQueuePluginOptions> = async (fastify, opts) => {
  rejectUnknown('redisQueue', opts, ['client', 'namespace', 'queueOptions', 'queues', 'routes'])
  const client = resolveClient(fastify, 'redisQueue', opts)
  const base = opts.queueOptions ?? {}
  const declared: Record<string, QueueOptions> = Array.isArray(opts.queues)
    ? Object.fromEntries(opts.queues.map(n => [n, {}]))
    : { ...(opts.queues ?? {}) }
  const queues = new Map<string, Queue<any, any>>()
  const whileDown = 'calls fail with 503 FRP_REDIS_UNAVAILABLE or FRP_REDIS_TIMEOUT and workers retry'
  const outage = outageLog(fastify, { pattern: 'queue', whileDown, clients: [client] })

  const get = <T, R>(name: string): Queue<T, R> => {
    let q = queues.get(name)
    if (q === undefined) {
      q = new Queue<T, R>(client, name, { ...base, ...declared[name] })
      queues.set(name, q)
      logWorkers(q, outage, fastify.log)
      announceCore(fastify, 'queue', q)
    }
    return q
  }
  // Build declared queues now, so an invalid option fails at registration.
  for (const name of Object.keys(declared)) get(name)

  // Workers started while Redis is down retry their take loop (with backoff) until it answers.
  await checkAtStartup(fastify, [client], { pattern: 'queue', namespace: opts.namespace, needsNoEviction: true, whileDown })

  fastify.decorate('queue', get)
  // Closing never fails the app's shutdown: with Redis gone, a queue that cannot hand its jobs
  // back leaves them to lease expiry (another worker takes them) and says so in the log.
  fastify.addHook('onClose', async () => {
    const results = await Promise.allSettled([...queues.values()].map(q => q.close()))
    for (const r of results) if (r.status === 'rejected') fastify.log.warn({ err: r.reason }, 'queue: close failed; unfinished jobs return after their lease')
  })

  if (opts.routes !== undefined && opts.routes !== false) {
    const r = opts.routes === true ? {} : opts.routes
    rejectUnknown('redisQueue.routes', r, ['prefix', 'bodyLimit', 'onRequest', 'preHandler'])
    const prefix = optString('redisQueue.routes.prefix', r.prefix, '/queues')
    const bodyLimit = optInt('redisQueue.routes.bodyLimit', r.bodyLimit, 1024 * 1024, 1)
    const hooks = routeHooks('redisQueue.routes', r)
    await fastify.register(async scope => routes(scope, name => {
      const q = queues.get(name)
      if (q === undefined) throw new FRP_QUEUE_NOT_FOUND(name)
      return q
    }, bodyLimit, hooks, outage), { prefix })
  }
}

interface QP { queue: string }
interface JP { queue: string, id: string }

// Each handler goes through outage.route: a failed Redis call is counted and logged at debug.
async function routes (scope: FastifyInstance, find: (name: string) => Queue, bodyLimit: number, common: RouteHooks, outage: OutageLog): Promise<void> {
  const schemas = queueRouteSchemas(common)
  scope.post<{ Params: QP, Body: { name: string, data?: unknown, opts?: JobOptions } }>('/:queue/jobs', {
    ...common, bodyLimit, schema: schemas.add
  }, outage.route(async (req, reply) => {
    const res = await find(req.params.queue).add(req.body.name, req.body.data, req.body.opts)
    return await reply.code(res.created ? 201 : 200).send(res)
  }))

  scope.get<{ Params: QP, Querystring: { state: JobState, limit: number, offset: number } }>('/:queue/jobs', {
    ...common, schema: schemas.list
  }, outage.route(async req => {
    const { state, limit, offset } = req.query
    return { jobs: await find(req.params.queue).getJobs(state, { limit, offset }) }
  }))

  scope.get<{ Params: QP }>('/:queue/counts', { ...common, schema: schemas.counts },
    outage.route(async req => await find(req.params.queue).counts()))

  scope.get<{ Params: JP }>('/:queue/jobs/:id', { ...common, schema: schemas.get }, outage.route(async req => {
    const job = await find(req.params.queue).getJob(req.params.id)
    if (job === null) throw new FRP_JOB_NOT_FOUND(req.params.id)
    return job
  }))

  scope.post<{ Params: JP }>('/:queue/jobs/:id/retry', { ...common, schema: schemas.retry }, outage.route(async req => {
    await find(req.params.queue).retry(req.params.id)
    return { id: req.params.id, state: 'waiting' }
  }))

  scope.delete<{ Params: JP }>('/:queue/jobs/:id', { ...common, schema: schemas.remove }, outage.route(async (req, reply) => {
    await find(req.params.queue).remove(req.params.id)
    return await reply.code(204).send()
  }))

  const sched = scheduleRouteSchemas(common)
  scope.get<{ Params: QP }>('/:queue/schedules', { ...common, schema: sched.list },
    outage.route(async req => ({ schedules: await find(req.params.queue).getSchedules() })))

  scope.get<{ Params: JP }>('/:queue/schedules/:id', { ...common, schema: sched.get }, outage.route(async req => {
    const s = await find(req.params.queue).getSchedule(req.params.id)
    if (s === null) throw new FRP_SCHEDULE_NOT_FOUND(req.params.id)
    return s
  }))

  type ScheduleBody = ScheduledJob & { every?: number, cron?: string, tz?: string }
  scope.put<{ Params: JP, Body: ScheduleBody }>('/:queue/schedules/:id', { ...common, bodyLimit, schema: sched.put }, outage.route(async req => {
    const { every, cron, tz, ...job } = req.body
    // The core refuses a wrong combination (both, neither, tz with every) naming the field.
    const timing = Object.fromEntries(Object.entries({ every, cron, tz }).filter(([, v]) => v !== undefined)) as ScheduleTiming
    return await find(req.params.queue).schedule(req.params.id, timing, job)
  }))

  scope.delete<{ Params: JP }>('/:queue/schedules/:id', { ...common, schema: sched.remove }, outage.route(async (req, reply) => {
    await find(req.params.queue).removeSchedule(req.params.id)
    return await reply.code(204).send()
  }))
}

export const redisQueue = fp(plugin, {
  name: 'fastify-redis-patterns-queue',
  fastify: '5.x'
})

export default redisQueue

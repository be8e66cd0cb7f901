// Prometheus metrics of every pattern plugin the app registers, and of the Redis they use
// (`app.register(redisMetrics)`, subpath `fastify-redis-patterns/metrics`). Built on prom-client,
// an optional peer dependency loaded only here. The pattern plugins announce their cores
// (plugins/shared/cores.ts), so the order of registration does not matter and queues or boards
// made later are counted too. Counting on a hot path is a plain increment; prom-client sees the
// counts at scrape time (plugins/metrics/tally.ts).
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifySchema, onRequestHookHandler } from 'fastify'
import type * as Prom from 'prom-client'
import type { Registry } from 'prom-client'
import { invalid, optBool, optDuration, optString, rejectUnknown, type Duration } from '../lib/shared/options.js'
import type { MetricsContext } from './metrics/context.js'
import { cacheMetrics } from './metrics/cache.js'
import { rateLimitMetrics } from './metrics/rate-limit.js'
import { sessionMetrics } from './metrics/session.js'
import { lockMetrics } from './metrics/lock.js'
import { leaderboardMetrics } from './metrics/leaderboard.js'
import { queueMetrics } from './metrics/queue.js'
import { otpMetrics } from './metrics/otp.js'
import { activityMetrics } from './metrics/activity.js'
import { redisMetrics as redisServerMetrics } from './metrics/redis.js'

export interface RedisMetricsOptions {
  /**
   * The prom-client Registry to fill (default: a new one, private to this app). Pass prom-client's
   * global `register` (or fastify-metrics' registry) to serve these beside your own metrics.
   */
  registry?: Registry
  /** Serve the registry as Prometheus text at `path` (default true; false only fills the registry). */
  expose?: boolean
  /** Path of the route (default '/metrics'). */
  path?: string
  /** Hooks of the route, e.g. authentication: `onRequest: app.basicAuth`. */
  onRequest?: onRequestHookHandler | onRequestHookHandler[]
  /** Histogram buckets in seconds: `latency` (cache fetch, lock wait and hold), `jobs` (job run and wait). */
  buckets?: { latency?: readonly number[], jobs?: readonly number[] }
  /** How long a queue's job counts are reused across scrapes (default 1 s). */
  queueCountsFor?: Duration
}

export interface RedisMetricsDecorator {
  /** The registry the metrics are in. */
  readonly registry: Registry
}

declare module 'fastify' {
  interface FastifyInstance {
    redisMetrics: RedisMetricsDecorator
  }
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const JOB_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600]

function buckets (name: string, value: unknown, def: number[]): number[] {
  if (value === undefined) return def
  if (!Array.isArray(value) || value.length === 0 || !value.every((v, i) => typeof v === 'number' && Number.isFinite(v) && v > 0 && (i === 0 || v > value[i - 1]))) {
    throw invalid(name, 'must be a non-empty array of increasing positive numbers (seconds)')
  }
  return [...value]
}

async function loadPromClient (): Promise<typeof Prom> {
  try {
    return await import('prom-client')
  } catch (err) {
    throw invalid('redisMetrics', `needs prom-client, an optional peer dependency: npm install prom-client (${(err as Error).message})`)
  }
}

async function redisMetricsPlugin (fastify: FastifyInstance, opts: RedisMetricsOptions): Promise<void> {
  rejectUnknown('redisMetrics', opts, ['registry', 'expose', 'path', 'onRequest', 'buckets', 'queueCountsFor'])
  const expose = optBool('redisMetrics.expose', opts.expose, true)
  const path = optString('redisMetrics.path', opts.path, '/metrics')
  if (!path.startsWith('/')) throw invalid('redisMetrics.path', "must start with '/'")
  if (opts.buckets !== undefined) rejectUnknown('redisMetrics.buckets', opts.buckets, ['latency', 'jobs'])
  const queueCountsFor = optDuration('redisMetrics.queueCountsFor', opts.queueCountsFor, 1000)
  const prom = await loadPromClient()
  if (opts.registry !== undefined && !(opts.registry instanceof prom.Registry)) throw invalid('redisMetrics.registry', 'must be a prom-client Registry')
  const registry = opts.registry ?? new prom.Registry()
  const latencyBuckets = buckets('redisMetrics.buckets.latency', opts.buckets?.latency, LATENCY_BUCKETS)
  const jobBuckets = buckets('redisMetrics.buckets.jobs', opts.buckets?.jobs, JOB_BUCKETS)
  // Metrics are defined when their plugin's first core appears, so a clash would surface late,
  // inside another plugin: refuse a registry another app fills, or that has our names, up front.
  const taken = registry.getMetricsAsArray().find(m => m.name.startsWith('frp_'))?.name
  if (registriesInUse.has(registry) || taken !== undefined) {
    throw invalid('redisMetrics.registry', `already holds this plugin's metrics${taken === undefined ? '' : ` (${taken})`}; give each app its own registry`)
  }
  registriesInUse.add(registry)

  const ctx: MetricsContext = {
    prom,
    registry,
    fastify,
    latencyBuckets,
    jobBuckets,
    cleanup: [],
    defined: []
  }
  // Each pattern's metrics appear with its plugin's first core (an app without sessions shows no
  // session metrics). Redis' are defined now and have samples once a pattern plugin uses a client.
  cacheMetrics(ctx)
  rateLimitMetrics(ctx)
  sessionMetrics(ctx)
  lockMetrics(ctx)
  leaderboardMetrics(ctx)
  queueMetrics(ctx, queueCountsFor)
  otpMetrics(ctx)
  activityMetrics(ctx)
  redisServerMetrics(ctx)
  fastify.addHook('onClose', async () => {
    for (const undo of ctx.cleanup) undo()
    // Our metrics leave a registry the app shares with others, so a new app can register them again.
    if (opts.registry !== undefined) for (const name of ctx.defined) registry.removeSingleMetric(name)
    registriesInUse.delete(registry)
  })
  fastify.decorate('redisMetrics', { registry })

  if (expose) {
    fastify.get(path, {
      onRequest: opts.onRequest,
      // Out of the OpenAPI document (`hide` is @fastify/swagger's, absent from Fastify's own type).
      schema: { hide: true } as FastifySchema,
      // Never cached or limited by our own plugins, and no session read for a scraper.
      config: { cache: false, rateLimit: false, session: false } as never
    }, async (_request, reply) => {
      reply.header('content-type', registry.contentType)
      return await registry.metrics()
    })
  }
}

/** Registries an open app's metrics plugin fills. */
const registriesInUse = new WeakSet<Registry>()

/** The metrics plugin: `app.register(redisMetrics, { path: '/metrics' })`. */
export const redisMetrics = fp(redisMetricsPlugin, {
  name: 'fastify-redis-patterns-metrics',
  fastify: '5.x'
})

export default redisMetrics

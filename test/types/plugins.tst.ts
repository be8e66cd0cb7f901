// Every plugin's options, decorators and route config as TypeScript users see them: valid options
// compile, a misspelt option name or a wrong type does not (issue 18 item 3).
import { describe, expect, test } from 'tstyche'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { redisDashboard } from '../../plugins/dashboard.js'
import { Registry } from 'prom-client'
import { redisMetrics } from '../../plugins/metrics.js'
import type { RedisHealthReport } from '../../index.js'
import '@fastify/redis'
import {
  redisCache, redisSession, redisRateLimit, redisLock, redisLeaderboard, redisQueue,
  type Cache, Locker, type Lease, type Leaderboard, type Queue, type SessionStore, type RateLimitDecorator,
  type LeaderboardEntry, type PlayerIndex, type PlayerStanding, type JobPage, type ThroughputMinute, type HeldLocks
} from '../../index.js'

const app = Fastify()
const SECRET = 'a-secret-of-at-least-thirty-two-bytes!'

describe('redisCache', () => {
  test('options', () => {
    expect(app.register(redisCache, { ttl: 60_000, staleWhileRevalidate: '30s', l1: { maxEntries: 1000 } })).type.not.toRaiseError()
    expect(app.register(redisCache, { tll: 60_000 })).type.toRaiseError()
    expect(app.register(redisCache, { ttl: true })).type.toRaiseError()
  })
  test('decorator', () => {
    expect(app.cache).type.toBe<Cache>()
    expect(app.cache.get<{ n: number }>('k')).type.toBe<Promise<{ n: number } | undefined>>()
    expect(app.cache.wrap('k', async () => 42)).type.toBe<Promise<number>>()
  })
  test('route config', () => {
    expect(app.get('/a', { config: { cache: true } }, async () => ({}))).type.not.toRaiseError()
    expect(app.get('/b', { config: { cache: { ttl: '1m', vary: ['accept-language'], l1Ttl: 0 } } }, async () => ({}))).type.not.toRaiseError()
    // A misspelt key inside `config` cannot be a type error: Fastify infers the route's
    // ContextConfig generic from the literal itself. It fails at startup instead (FRP_INVALID_OPTION
    // naming `route /h config.cache.tll`, test/cache/cache-control.test.ts); a wrong type is caught here.
    expect(app.get('/c', { config: { cache: { ttl: true } } }, async () => ({}))).type.toRaiseError()
    expect(app.get('/d', { config: { cache: { vary: 'accept' } } }, async () => ({}))).type.toRaiseError()
    expect(app.get('/e', { config: { cache: { ttl: '1m', cacheControl: true, honorNoCache: true } } }, async () => ({}))).type.not.toRaiseError()
    expect(app.get('/f', { config: { cache: { ttl: '1m', cacheControl: { maxAge: '10s', sMaxAge: 30_000, private: false } } } }, async () => ({}))).type.not.toRaiseError()
    expect(app.get('/h', { config: { cache: { cacheControl: { maxAge: true } } } }, async () => ({}))).type.toRaiseError()
  })
})

describe('redisSession', () => {
  test('options', () => {
    expect(app.register(redisSession, { secret: SECRET, ttl: '30 minutes', cookie: { sameSite: 'strict' } })).type.not.toRaiseError()
    expect(app.register(redisSession, { secret: SECRET, cokie: {} })).type.toRaiseError()
    expect(app.register(redisSession, { secret: SECRET, cookie: { sameSite: 'sometimes' } })).type.toRaiseError()
    expect(app.register(redisSession, { secret: 42 })).type.toRaiseError()
  })
  test('decorators and route config', () => {
    expect(app.sessions).type.toBe<SessionStore>()
    expect(app.get('/s', { config: { session: false } }, async () => ({}))).type.not.toRaiseError()
    expect(app.get('/s2', { config: { session: 'no' } }, async () => ({}))).type.toRaiseError()
  })
})

describe('redisRateLimit', () => {
  test('options', () => {
    expect(app.register(redisRateLimit, { limit: 100, window: '1 minute', algorithm: 'gcra', burst: 10, allowList: ['::1', '10.0.0.0/8'] })).type.not.toRaiseError()
    expect(app.register(redisRateLimit, { limit: 100, windw: 60_000 })).type.toRaiseError()
    expect(app.register(redisRateLimit, { limit: '100' })).type.toRaiseError()
    expect(app.register(redisRateLimit, { algorithm: 'leaky-bucket' })).type.toRaiseError()
    expect(app.register(redisRateLimit, { onRedisError: 'crash' })).type.toRaiseError()
  })
  test('decorator', () => {
    expect(app.rateLimit).type.toBe<RateLimitDecorator>()
    expect(app.rateLimit.check('k', { limit: 5, window: 1000 })).type.not.toRaiseError()
  })
  test('route config', () => {
    expect(app.get('/r', { config: { rateLimit: false } }, async () => ({}))).type.not.toRaiseError()
    expect(app.get('/r2', { config: { rateLimit: [{ limit: 5, window: '1m' }, { limit: 100, window: '1d' }] } }, async () => ({}))).type.not.toRaiseError()
    expect(app.get('/r3', { config: { rateLimit: { group: 'login', limit: 5, window: 60_000 } } }, async () => ({}))).type.not.toRaiseError()
    // (A misspelt key: see config.cache above.)
    expect(app.get('/r4', { config: { rateLimit: { limit: 5, window: 60_000, group: 7 } } }, async () => ({}))).type.toRaiseError()
  })
})

describe('redisLock', () => {
  test('options', () => {
    expect(app.register(redisLock, { ttl: '30s', waitTimeout: 5000 })).type.not.toRaiseError()
    expect(app.register(redisLock, { ttll: 1 })).type.toRaiseError()
    expect(app.register(redisLock, { ttl: {} })).type.toRaiseError()
    expect(app.register(redisLock, { fencing: false })).type.toRaiseError() // per call (fastify.locker is typed fenced)
  })
  test('decorator', () => {
    expect(app.locker).type.toBe<Locker>()
    expect(app.locker.acquire('k', { ttl: '10s' })).type.toBe<Promise<Lease>>()
    expect(app.locker.using('k', async () => 'done')).type.toBe<Promise<string>>()
  })
  test('fencing: the lease type follows the option', () => {
    expect(app.locker.acquire('k')).type.toBe<Promise<Lease>>()
    expect(app.locker.acquire('k', { fencing: false })).type.toBe<Promise<Lease<false>>>()
    expect(app.locker.tryAcquire('k', { fencing: false })).type.toBe<Promise<Lease<false> | null>>()
    expect<Lease['fencingToken']>().type.toBe<number>()
    expect<Lease<false>['fencingToken']>().type.toBe<undefined>()
    expect<Lease<boolean>['fencingToken']>().type.toBe<number | undefined>()
    const unfenced = new Locker(app.redis, { fencing: false })
    expect(unfenced.acquire('k')).type.toBe<Promise<Lease<false>>>()
    expect(unfenced.acquire('k', { fencing: true })).type.toBe<Promise<Lease<true>>>()
    expect(unfenced.using('k', (_signal, lease) => lease.fencingToken)).type.toBe<Promise<undefined>>()
    expect(new Locker(app.redis).acquire('k', { ttl: 1000 })).type.toBe<Promise<Lease>>()
  })
  test('route config', () => {
    expect(app.post('/l', { config: { lock: { key: () => 'k', ttl: '10s', wait: 0 } } }, async () => ({}))).type.not.toRaiseError()
    expect(app.post('/l2', { config: { lock: { ttl: 1000 } } }, async () => ({}))).type.toRaiseError()
  })
})

describe('redisLeaderboard', () => {
  test('options', () => {
    expect(app.register(redisLeaderboard, { boards: { weekly: { order: 'desc' } }, routes: { prefix: '/boards', maxLimit: 50 } })).type.not.toRaiseError()
    expect(app.register(redisLeaderboard, { bords: {} })).type.toRaiseError()
    expect(app.register(redisLeaderboard, { boards: { weekly: { order: 'down' } } })).type.toRaiseError()
  })
  test('decorator', () => {
    expect(app.leaderboard('weekly')).type.toBe<Leaderboard>()
    expect(app.leaderboard('weekly').submit('ada', 10)).type.not.toRaiseError()
    expect(app.leaderboard('weekly').submit('ada', '10')).type.toRaiseError()
    expect(app.leaderboard('weekly').rangeByScore(150, 200, { limit: 10, offset: 0 })).type.toBe<Promise<LeaderboardEntry[]>>()
    expect(app.leaderboard('weekly').rangeByScore('150', 200)).type.toRaiseError()
    expect(app.leaderboard('weekly').rangeByScore(150, 200, { limt: 10 })).type.toRaiseError()
  })
  test('player index', () => {
    expect(app.register(redisLeaderboard, { defaults: { playerIndex: true } })).type.not.toRaiseError()
    expect(app.register(redisLeaderboard, { defaults: { playerIndex: 'yes' } })).type.toRaiseError()
    expect(app.leaderboardPlayers).type.toBe<PlayerIndex>()
    expect(app.leaderboardPlayers.view('ada')).type.toBe<Promise<PlayerStanding[]>>()
    expect(app.leaderboardPlayers.erase('ada')).type.toBe<Promise<{ removed: number }>>()
  })
})

describe('redisQueue', () => {
  test('schedules', () => {
    const q = app.queue<{ board: string }>('reports')
    expect(q.schedule('nightly', { cron: '0 3 * * *', tz: 'Europe/Paris' }, { name: 'rollup', data: { board: 'weekly' } })).type.not.toRaiseError()
    expect(q.schedule('pulse', { every: '5m' }, { name: 'p', missed: 'all' })).type.not.toRaiseError()
    expect(q.schedule('x', { every: 1000 }, { name: 'p', opts: { jobId: 'j' } })).type.toRaiseError()
    expect(q.schedule('x', { every: 1000 }, { name: 'p', missed: 'never' })).type.toRaiseError()
    expect(q.schedule('x', { every: 1000 }, { name: 'p', data: { board: 1 } })).type.toRaiseError()
  })
  test('options', () => {
    expect(app.register(redisQueue, { queues: ['mail'], routes: { prefix: '/jobs' }, queueOptions: { defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: '1s' } } } })).type.not.toRaiseError()
    expect(app.register(redisQueue, { queue: ['mail'] })).type.toRaiseError()
    expect(app.register(redisQueue, { routes: 'yes' })).type.toRaiseError()
  })
  test('decorator', () => {
    expect(app.queue<{ to: string }>('mail')).type.toBe<Queue<{ to: string }, unknown>>()
    expect(app.queue<{ to: string }>('mail').add('send', { to: 'a@b.c' }, { delay: '5m' })).type.not.toRaiseError()
    expect(app.queue<{ to: string }>('mail').add('send', { from: 'a@b.c' })).type.toRaiseError()
  })
})

describe('redisMetrics and redisHealth', () => {
  test('options', () => {
    expect(app.register(redisMetrics, { registry: new Registry(), path: '/internal/metrics', expose: true, queueCountsFor: '2s', buckets: { latency: [0.01, 0.1] } })).type.not.toRaiseError()
    expect(app.register(redisMetrics, { pth: '/m' })).type.toRaiseError()
    expect(app.register(redisMetrics, { expose: 'yes' })).type.toRaiseError()
    expect(app.register(redisMetrics, { registry: {} })).type.toRaiseError()
  })
  test('decorators', () => {
    expect(app.redisMetrics.registry).type.toBe<Registry>()
    expect(app.redisHealth()).type.toBe<Promise<RedisHealthReport>>()
  })
})

describe('redisDashboard', () => {
  test('options', () => {
    const authorize = async (_request: FastifyRequest, reply: FastifyReply): Promise<unknown> => await reply.code(401).send()
    expect(app.register(redisDashboard, { authorize, prefix: '/ops', pageSize: 50, origins: ['https://admin.example.com'] })).type.not.toRaiseError()
    expect(app.register(redisDashboard, { public: true })).type.not.toRaiseError()
    expect(app.register(redisDashboard, { authorise: authorize })).type.toRaiseError()
    expect(app.register(redisDashboard, { authorize, pageSize: '50' })).type.toRaiseError()
  })
  test('queue and lock admin methods', () => {
    expect(app.queue('email').getJobsPage('failed', { cursor: null })).type.toBe<Promise<JobPage<unknown, unknown>>>()
    expect(app.queue('email').throughput()).type.toBe<Promise<ThroughputMinute[]>>()
    expect(app.locker.held()).type.toBe<Promise<HeldLocks>>()
  })
})

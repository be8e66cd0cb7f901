// Every duration option takes ms or a string ('30s', '5 minutes'), parsed once when options are
// normalized; a bad string fails up front with FRP_INVALID_OPTION naming the option.
import t from 'tap'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { optDuration, optDurationOrUndefined, type Duration } from '../../lib/shared/options.js'
import type { Duration as PublicDuration } from '../../index.js'
import { startRedis } from '../helpers/redis.js'
import { pluginApp } from '../helpers/app.js'
import { normalizeRule } from '../../lib/rate-limit/policy.js'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import { redisRateLimit, type RedisRateLimitOptions } from '../../plugins/rate-limit.js'
import { Cache } from '../../lib/cache/cache.js'
import { redisCache } from '../../plugins/cache.js'
import { SessionStore } from '../../lib/session/store.js'
import { redisSession } from '../../plugins/session.js'
import { Locker } from '../../lib/lock/locker.js'
import { redisLock } from '../../plugins/lock.js'
import { normalizeWorkerOptions } from '../../lib/queue/options.js'
import { redisQueue } from '../../plugins/queue.js'
import { normalizeLeaderboardOptions } from '../../lib/leaderboard/options.js'
import { redisLeaderboard } from '../../plugins/leaderboard.js'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { makeQueue } from '../queue/helpers.js'

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long'

t.test('optDuration: numbers and strings to ms', async t => {
  t.equal(optDuration('x', undefined, 7), 7, 'undefined gives the default')
  t.equal(optDuration('x', 0, 7), 0)
  t.equal(optDuration('x', 1500, 7), 1500)
  t.equal(optDuration('x', '30s', 7), 30_000)
  t.equal(optDuration('x', '5 minutes', 7), 300_000)
  t.equal(optDuration('x', '1.5s', 7), 1500)
  t.equal(optDuration('x', '1h', 7), 3_600_000)
  t.equal(optDuration('x', '250ms', 7), 250)
  t.equal(optDuration('x', '2 days', 7), 172_800_000)
  t.equal(optDuration('x', '0s', 7), 0, "a zero with a unit ('0s') is 0")
  t.equal(optDuration('x', '0 ms', 7), 0)
  t.equal(optDuration('x', '0', 7), 0)
  t.equal(optDurationOrUndefined('x', undefined), undefined)
  t.equal(optDurationOrUndefined('x', '1s'), 1000)
  const d: Duration = '10s'
  const p: PublicDuration = 10
  t.equal(optDuration('x', d, 0) + optDuration('x', p, 0), 10_010)
})

t.test('optDuration: bad input is FRP_INVALID_OPTION naming the option and the value', async t => {
  const bad: Array<[unknown, RegExp]> = [
    ['soon', /"soon"/],
    ['', /must be a duration/],
    ['   ', /must be a duration/],
    ['5 fortnights', /"5 fortnights"/],
    ['0 fortnights', /"0 fortnights"/],
    ['-5s', /between 0 and/],
    [-1, /between 0 and .*got -1/],
    ['0.5ms', /whole number of ms/],
    [1.5, /integer number of ms/],
    [Number.NaN, /integer number of ms/],
    [Infinity, /integer number of ms/],
    [null, /got null/],
    [true, /got true/],
    [{}, /got object/]
  ]
  for (const [value, message] of bad) {
    t.throws(() => optDuration('redisThing.some.window', value, 1000), { code: 'FRP_INVALID_OPTION', message: /Invalid option "redisThing\.some\.window"/ }, String(value))
    t.throws(() => optDuration('redisThing.some.window', value, 1000), { message }, String(value))
  }
  t.throws(() => optDuration('w', '2s', 0, 1, 1000), { code: 'FRP_INVALID_OPTION', message: /"w".*between 1 and 1000 ms, got "2s" \(2000 ms\)/ })
  t.throws(() => optDuration('w', 0, 0, 1), { code: 'FRP_INVALID_OPTION', message: /between 1 and/ })
  t.throws(() => optDurationOrUndefined('w', 'nope'), { code: 'FRP_INVALID_OPTION', message: /"w"/ })
  // @ts-expect-error a boolean is no duration
  const notADuration: Duration = true
  t.ok(notADuration)
})

t.test('rate limit', async t => {
  const redis = (await startRedis(t)).client()

  t.test("a window of '1s' is the same policy as 1000", async t => {
    t.same(normalizeRule('p', { limit: 5, window: '1s' }), normalizeRule('p', { limit: 5, window: 1000 }))
    t.same(normalizeRule('p', [{ limit: 5, window: '1 minute' }, { limit: 50, window: '1h' }]),
      normalizeRule('p', [{ limit: 5, window: 60_000 }, { limit: 50, window: 3_600_000 }]))
    const limiter = new RateLimiter(redis, { commandTimeout: '2s', policies: { limit: 1, window: '1 day' } })
    t.equal(limiter.options.commandTimeout, 2000)
    t.equal(limiter.options.policies?.policies[0].window, 86_400_000)
  })

  t.test("the plugin's window '1s' is the 1000 ms policy in the headers", async t => {
    const app = await pluginApp(t, redis, redisRateLimit, { limit: 1, window: '1s', commandTimeout: '5s' }, {
      routes: app => { app.get('/', async () => 'ok') }
    })
    const first = await app.inject('/')
    t.equal(first.statusCode, 200)
    t.match(String(first.headers['ratelimit-policy']), /"1-per-1s";q=1;w=1/)
  })

  t.test("the plugin's window '1h' limits over an hour", async t => {
    const app = await pluginApp(t, redis, redisRateLimit, { limit: 1, window: '1h' }, {
      routes: app => { app.get('/', async () => 'ok') }
    })
    const first = await app.inject('/')
    t.match(String(first.headers['ratelimit-policy']), /"1-per-1h";q=1;w=3600/)
    t.equal((await app.inject('/')).statusCode, 429, 'the second request within the hour is refused')
  })

  t.test('an invalid window string fails at registration naming the option', async t => {
    const register = async (opts: unknown): Promise<void> => {
      const app = Fastify()
      t.teardown(() => app.close())
      await app.register(fastifyRedis, { client: redis, closeClient: false })
      await app.register(redisRateLimit, opts as RedisRateLimitOptions)
      await app.ready()
    }
    await t.rejects(register({ limit: 5, window: 'a while' }), { code: 'FRP_INVALID_OPTION', message: /"redisRateLimit\.window".*"a while"/ })
    await t.rejects(register({ policies: [{ limit: 5, window: '1s' }, { limit: 9, window: '0.5ms' }] }), { code: 'FRP_INVALID_OPTION', message: /"redisRateLimit\.policies\[1\]\.window"/ })
    await t.rejects(register({ limit: 5, window: '1s', commandTimeout: 'fast' }), { code: 'FRP_INVALID_OPTION', message: /"redisRateLimit\.commandTimeout"/ })
  })

  t.test("a route's config.rateLimit window takes a string too", async t => {
    const app = await pluginApp(t, redis, redisRateLimit, { limit: 100, window: 60_000 }, {
      routes: app => { app.get('/r', { config: { rateLimit: { limit: 1, window: '10s' } } }, async () => 'ok') }
    })
    const res = await app.inject('/r')
    t.match(String(res.headers['ratelimit-policy']), /"1-per-10s";q=1;w=10/)
    await t.rejects(pluginApp(t, redis, redisRateLimit, { limit: 100, window: 60_000 }, {
      routes: app => { app.get('/bad', { config: { rateLimit: { limit: 1, window: 'eventually' } } }, async () => 'ok') }
    }), { code: 'FRP_INVALID_OPTION', message: /window/ })
  })
})

t.test('cache', async t => {
  const redis = (await startRedis(t)).client()

  t.test("ttl '2s' stores the entry with a 2000 ms ttl; per-call strings work too", async t => {
    const cache = new Cache(redis, { prefix: 'd1', ttl: '2s', leaseTtl: '10s', maxWait: '15s', commandTimeout: '1s', l1: { ttl: '500ms' } })
    t.teardown(() => cache.close())
    await cache.set('a', 1)
    const pttl = await redis.pttl('d1:cache:{a}')
    t.ok(pttl > 0 && pttl <= 2000, `stored with the 2 s ttl (pttl ${pttl})`)
    await cache.set('b', 1, { ttl: '1 day' })
    const long = await redis.pttl('d1:cache:{b}')
    t.ok(long > 2000 && long <= 86_400_000, `a per-call '1 day' ttl (pttl ${long})`)
    await t.rejects(cache.set('c', 1, { ttl: 'later' }), { code: 'FRP_INVALID_OPTION', message: /"ttl".*"later"/ })
    t.throws(() => new Cache(redis, { staleWhileRevalidate: 'a bit' }), { code: 'FRP_INVALID_OPTION', message: /"cache\.staleWhileRevalidate"/ })
    t.throws(() => new Cache(redis, { l1: { ttl: '0.5ms' } }), { code: 'FRP_INVALID_OPTION', message: /"cache\.l1\.ttl"/ })
  })

  t.test("write-behind: interval, retryDelay, leaseTtl and its entries' ttl as strings", async t => {
    const cache = new Cache(redis, { prefix: 'd8' })
    t.teardown(() => cache.close())
    const wb = cache.writeBehind<number>('wb', { flush: () => {}, interval: '0s', retryDelay: '10ms', leaseTtl: '30s', cache: { ttl: '2s' } })
    await wb.write('w', 1)
    const pttl = await redis.pttl('d8:cache:{w}')
    t.ok(pttl > 0 && pttl <= 2000, `written with the 2 s ttl (pttl ${pttl})`)
    await wb.close('5s')
    t.throws(() => cache.writeBehind('bad', { flush: () => {}, interval: 'often' }), { code: 'FRP_INVALID_OPTION', message: /"writeBehind\.interval"/ })
    t.throws(() => cache.writeBehind('bad2', { flush: () => {}, cache: { ttl: 'a while' } }), { code: 'FRP_INVALID_OPTION', message: /"ttl"/ })
  })

  t.test("route config.cache ttl '2s' takes effect; a bad string fails naming the route option", async t => {
    const app = await pluginApp(t, redis, redisCache, { prefix: 'd2', ttl: '1 minute' }, {
      routes: app => { app.get('/x', { config: { cache: { ttl: '2s', staleWhileRevalidate: '1s', l1Ttl: '100ms' } } }, async () => ({ ok: true })) }
    })
    t.equal((await app.inject('/x')).statusCode, 200)
    // The entry key itself (its companion keys live on their own clocks).
    const keys = (await redis.keys('d2:cache:*')).filter(k => k.endsWith('}'))
    t.equal(keys.length, 1, 'the response is cached')
    for (const k of keys) {
      const pttl = await redis.pttl(k)
      t.ok(pttl > 0 && pttl <= 3000, `${k} stored with ttl 2 s + swr 1 s (pttl ${pttl})`)
    }
    await t.rejects(pluginApp(t, redis, redisCache, { prefix: 'd3' }, {
      routes: app => { app.get('/y', { config: { cache: { l1Ttl: 'brief' } } }, async () => 1) }
    }), { code: 'FRP_INVALID_OPTION', message: /config\.cache\.l1Ttl/ })
    await t.rejects(pluginApp(t, redis, redisCache, { prefix: 'd4', maxWait: 'forever' }), { code: 'FRP_INVALID_OPTION', message: /maxWait/ })
  })
})

t.test('session', async t => {
  const redis = (await startRedis(t)).client()

  t.test('idle and absolute timeouts as strings', async t => {
    const store = new SessionStore(redis, { ttl: '30 minutes', absoluteTtl: '7 days', touchInterval: '1m', commandTimeout: '2s' })
    t.same([store.options.ttl, store.options.absoluteTtl, store.options.touchInterval, store.options.commandTimeout], [1_800_000, 604_800_000, 60_000, 2000])
    const app = await pluginApp(t, redis, redisSession, { secret: SECRET, prefix: 'd5', ttl: '30 minutes' }, {
      routes: app => { app.post('/login', async req => { req.session.set('u', 1); return { ok: true } }) }
    })
    t.equal(app.sessions.options.ttl, 1_800_000)
    t.equal((await app.inject({ method: 'POST', url: '/login' })).statusCode, 200)
    const keys = await redis.keys('d5:session:*')
    t.ok(keys.length > 0)
    for (const k of keys) {
      const pttl = await redis.pttl(k)
      t.ok(pttl > 60_000 && pttl <= 1_800_000, `expires on the 30 minute idle timeout (pttl ${pttl})`)
    }
  })

  t.test('an invalid timeout string fails at registration naming the option', async t => {
    await t.rejects(pluginApp(t, redis, redisSession, { secret: SECRET, ttl: 'half an hour' }), { code: 'FRP_INVALID_OPTION', message: /"session\.ttl".*"half an hour"/ })
    await t.rejects(pluginApp(t, redis, redisSession, { secret: SECRET, absoluteTtl: '-1d' }), { code: 'FRP_INVALID_OPTION', message: /"session\.absoluteTtl"/ })
  })
})

t.test('lock', async t => {
  const redis = (await startRedis(t)).client()

  t.test("ttl, wait and retry as strings; acquire(key, { ttl: '5s' })", async t => {
    const locker = new Locker(redis, { prefix: 'd6', ttl: '2s', waitTimeout: '1s', commandTimeout: '3s', retry: { jitter: '10ms', maxDelay: '1s' } })
    t.teardown(() => locker.close())
    t.same([locker.options.ttl, locker.options.waitTimeout, locker.options.commandTimeout, locker.options.jitter, locker.options.maxDelay], [2000, 1000, 3000, 10, 1000])
    const lease = await locker.acquire('k', { ttl: '5s', waitTimeout: 0 })
    t.equal(lease.ttl, 5000)
    const pttl = await redis.pttl('d6:lock:{k}')
    t.ok(pttl > 2000 && pttl <= 5000, `the lock key lives 5 s (pttl ${pttl})`)
    await lease.extend('10s')
    const extended = await redis.pttl('d6:lock:{k}')
    t.ok(extended > 5000 && extended <= 10_000, `extended to 10 s (pttl ${extended})`)
    await t.rejects(lease.extend('longer'), { code: 'FRP_INVALID_OPTION', message: /"lease\.extend\.ttl"/ })
    await lease.release()
    await t.rejects(locker.acquire('k', { ttl: 'a while' }), { code: 'FRP_INVALID_OPTION', message: /"lock\.acquire\.ttl".*"a while"/ })
    await t.rejects(locker.acquire('k', { waitTimeout: '0.5ms' }), { code: 'FRP_INVALID_OPTION', message: /"lock\.acquire\.waitTimeout"/ })
  })

  t.test('plugin: route config ttl as a string; bad strings fail at registration', async t => {
    const app = await pluginApp(t, redis, redisLock, { prefix: 'd7', ttl: '1 minute', routeWait: '0ms' }, {
      routes: app => {
        app.get('/l', { config: { lock: { key: () => 'r', ttl: '3s', wait: '0s' } } }, async req => ({ ttl: req.lockLease?.ttl }))
      }
    })
    t.same((await app.inject('/l')).json(), { ttl: 3000 })
    await t.rejects(pluginApp(t, redis, redisLock, { routeWait: 'never' }), { code: 'FRP_INVALID_OPTION', message: /"redisLock\.routeWait"/ })
    await t.rejects(pluginApp(t, redis, redisLock, { ttl: 'long' }), { code: 'FRP_INVALID_OPTION', message: /"lock\.ttl"/ })
    await t.rejects(pluginApp(t, redis, redisLock, {}, {
      routes: app => { app.get('/m', { config: { lock: { key: () => 'm', wait: 'patiently' } } }, async () => 1) }
    }), { code: 'FRP_INVALID_OPTION', message: /lock\.wait/ })
  })
})

t.test('queue', async t => {
  const redis = (await startRedis(t)).client()

  t.test("add(..., { delay: '2s' }) delays the job by 2000 ms; bad strings are FRP_JOB_INVALID", async t => {
    const q = makeQueue(t, redis, { dedupWindow: '1h', defaultJobOptions: { timeout: '30s', backoff: '1s', removeOnComplete: { age: '1 day' } } })
    t.equal(q.options.dedupWindow, 3_600_000)
    t.equal(q.options.defaults.timeout, 30_000)
    const { id } = await q.add('later', 1, { delay: '2s' })
    const job = await q.getJob(id)
    t.equal(job?.state, 'delayed')
    t.equal((job?.delayUntil as number) - (job?.createdAt as number), 2000)
    await t.rejects(q.add('bad', 1, { delay: 'tomorrow' }), { code: 'FRP_JOB_INVALID', message: /delay .*"tomorrow"/ })
    await t.rejects(q.add('bad', 1, { backoff: { type: 'fixed', delay: 'x' } }), { code: 'FRP_JOB_INVALID', message: /backoff\.delay/ })
    await t.rejects(q.clean('completed', { age: 'old' }), { code: 'FRP_JOB_INVALID', message: /age/ })
    t.same(await q.clean('completed', { age: '1h' }), [])
    t.throws(() => makeQueue(t, redis, { defaultJobOptions: { delay: 'soon' } }), { code: 'FRP_INVALID_OPTION', message: /"defaultJobOptions".*delay/ })
  })

  t.test('worker durations as strings', async t => {
    const w = normalizeWorkerOptions({ lease: '30s', heartbeat: '5s', stalledInterval: '15s', blockTimeout: '2s', closeTimeout: '1 minute', limiter: { max: 10, duration: '1s' } })
    t.same([w.lease, w.heartbeat, w.stalledInterval, w.blockTimeout, w.closeTimeout, w.limitDuration], [30_000, 5000, 15_000, 2000, 60_000, 1000])
    t.throws(() => normalizeWorkerOptions({ lease: 'a minute' }), { code: 'FRP_INVALID_OPTION', message: /"lease"/ })
  })

  t.test('plugin: a bad queue duration fails at registration naming the option', async t => {
    await t.rejects(pluginApp(t, redis, redisQueue, { queues: ['d'], queueOptions: { commandTimeout: 'quick' } }), { code: 'FRP_INVALID_OPTION', message: /"commandTimeout".*"quick"/ })
  })
})

t.test('leaderboard', async t => {
  const redis = (await startRedis(t)).client()
  t.equal(normalizeLeaderboardOptions({ commandTimeout: '2s', tieBreakResolution: '1m', tieBreak: 'first' }).tieBreakResolution, 60_000)
  t.equal(normalizeLeaderboardOptions({ commandTimeout: '2s' }).commandTimeout, 2000)
  await t.rejects(pluginApp(t, redis, redisLeaderboard, { defaults: { commandTimeout: 'soon' } }), { code: 'FRP_INVALID_OPTION', message: /"redisLeaderboard\.defaults\.commandTimeout"/ })

  t.test("rollup(name, { ttl: '1 minute' }) expires the roll-up in 60 s; a bad string is FRP_LEADERBOARD_ARGUMENT", async t => {
    const b = new Leaderboard(redis, 'daily', { prefix: 'd9', period: 'day', commandTimeout: '5s' })
    await b.submit('a', 10)
    const rolled = await b.rollup('r', { periods: 1, ttl: '1 minute' })
    const pttl = await redis.pttl(rolled.key)
    t.ok(pttl > 1000 && pttl <= 60_000, `pttl ${pttl}`)
    await t.rejects(b.rollup('r2', { periods: 1, ttl: 'a while' }), { code: 'FRP_LEADERBOARD_ARGUMENT', message: /ttl.*"a while"/ })
  })
})

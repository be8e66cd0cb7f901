// The metrics plugin against a scripted workload over all six patterns on a real Redis (issue 17
// item 2): every counter in the scraped text has exactly the value the workload implies, and
// 10,000 distinct cache keys, rate-limit clients and leaderboard members add no series.
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyRedis from '@fastify/redis'
import type { Redis } from 'ioredis'
import { Registry } from 'prom-client'
import { redisCache } from '../../plugins/cache.js'
import { redisRateLimit } from '../../plugins/rate-limit.js'
import { redisSession } from '../../plugins/session.js'
import { redisLock } from '../../plugins/lock.js'
import { redisLeaderboard } from '../../plugins/leaderboard.js'
import { redisQueue } from '../../plugins/queue.js'
import { redisMetrics } from '../../plugins/metrics.js'
import { redisOtp } from '../../plugins/otp.js'
import { redisActivity } from '../../plugins/activity.js'
import { startRedis, eventually } from '../helpers/redis.js'
import { scrape, value, series } from './scrape.js'

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!'

interface Teardown { teardown: (fn: () => unknown) => void }

async function fullApp (t: Teardown, client: Redis, metricsFirst: boolean): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client, closeClient: false })
  if (metricsFirst) await app.register(redisMetrics)
  await app.register(redisCache, { prefix: 'm', ttl: 60_000 })
  await app.register(redisRateLimit, { blockCache: false })
  await app.register(redisSession, { secret: SECRET, cookie: { secure: false } })
  await app.register(redisLock)
  await app.register(redisLeaderboard, { boards: { weekly: { update: 'best' } } })
  await app.register(redisQueue, { queues: ['email'] })
  await app.register(redisOtp, { secret: SECRET, cooldown: 60_000, attempts: 2 })
  await app.register(redisActivity, { maxUserId: 1_000_000 })
  if (!metricsFirst) await app.register(redisMetrics)
  app.get('/c', { config: { cache: { ttl: 60_000 } } }, async () => ({ cached: true }))
  app.get('/limited', { config: { rateLimit: { limit: 2, window: 60_000, name: 'two' } } }, async () => ({ ok: true }))
  app.post('/login', async req => { req.session.set('user', 'ada'); return { ok: true } })
  app.get('/me', async req => ({ user: req.session.get('user') ?? null }))
  return app
}

test('a scripted workload shows up as exact counter values (metrics registered after the patterns)', async t => {
  const redis = await startRedis(t)
  const app = await fullApp(t, redis.client(), false)

  // Cache: the route misses once, then 4 L1 hits; wrap fills w1 once (then 2 L1 hits); one fetcher throws.
  for (let i = 0; i < 5; i++) await app.inject('/c')
  t.equal((await app.inject({ url: '/c', headers: { cookie: 'x=1' } })).headers['x-cache'], 'BYPASS')
  for (let i = 0; i < 3; i++) await app.cache.wrap('w1', async () => 1)
  await t.rejects(app.cache.wrap('bad', async () => { throw new Error('origin down') }))
  await app.cache.invalidate('w1')
  await app.cache.invalidateTags(['t1'])

  // Rate limit: 5 requests against 2 per minute.
  const limited = []
  for (let i = 0; i < 5; i++) limited.push((await app.inject('/limited')).statusCode)
  t.strictSame(limited, [200, 200, 429, 429, 429])
  await app.rateLimit.peek('somebody', { limit: 2, window: 60_000, name: 'two' }) // not a decision: nothing counted

  // Sessions: one created by login, then found twice; a forged cookie is invalid.
  const login = await app.inject({ method: 'POST', url: '/login' })
  const cookie = String(login.headers['set-cookie']).split(';')[0]
  for (let i = 0; i < 2; i++) t.equal((await app.inject({ url: '/me', headers: { cookie } })).json().user, 'ada')
  await app.inject({ url: '/me', headers: { cookie: 'sid=forged.value' } })

  // Lock: one holder, one contender that times out, then the release.
  const lease = await app.locker.acquire('res')
  await t.rejects(app.locker.acquire('res', { waitTimeout: 30 }), { code: 'FRP_LOCK_NOT_ACQUIRED' })
  await lease.extend(5000)
  await lease.release()

  // Leaderboard ('best'): 3 submissions, one of which does not improve the score; 2 reads.
  const weekly = app.leaderboard('weekly')
  await weekly.submit('ada', 10)
  await weekly.submit('ada', 5)
  await weekly.submit('bob', 7)
  await weekly.top(10)
  await weekly.rank('ada')

  // Queue: 4 jobs; c fails for good, d fails once then succeeds.
  const email = app.queue<{ n: string }>('email')
  const tried = new Map<string, number>()
  email.process(async job => {
    const n = (tried.get(job.data.n) ?? 0) + 1
    tried.set(job.data.n, n)
    if (job.data.n === 'c') throw new Error('bounced')
    if (job.data.n === 'd' && n === 1) throw new Error('try again')
    return n
  })
  for (const n of ['a', 'b']) await email.add('send', { n })
  await email.add('send', { n: 'c' }, { attempts: 1 })
  await email.add('send', { n: 'd' }, { attempts: 2 })
  await eventually(async () => { const c = await email.counts(); return c.completed === 3 && c.failed === 1 }, { what: 'the 4 jobs finished' })

  // One-time codes: one issued, a second refused by the cooldown; a wrong guess, then the second
  // wrong guess burns the code (exhausted), and a guess for nobody (expired).
  const { code } = await app.otp.issue('ada@example.com')
  await t.rejects(app.otp.issue('ada@example.com'), { code: 'FRP_OTP_COOLDOWN' })
  const wrong = code === '000000' ? '111111' : '000000'
  t.equal((await app.otp.verify('ada@example.com', wrong)).result, 'wrong')
  t.equal((await app.otp.verify('ada@example.com', wrong)).result, 'exhausted')
  t.equal((await app.otp.verify('nobody@example.com', wrong)).result, 'expired')

  // Activity: users 1 and 2 active today, user 1 twice (its second mark is not a first).
  for (const id of [1, 2, 1]) await app.activity.mark(id)

  let text = ''
  await eventually(async () => {
    text = await scrape(app)
    // The gauges are reused for a second: wait until they show the finished queue.
    return value(text, 'frp_queue_jobs', { queue: 'email', state: 'completed' }) === 3
  }, { what: 'queue gauges caught up' })

  t.equal(value(text, 'frp_http_cache_total', { route: '/c', result: 'miss' }), 1)
  t.equal(value(text, 'frp_http_cache_total', { route: '/c', result: 'hit' }), 4)
  t.equal(value(text, 'frp_http_cache_total', { route: '/c', result: 'bypass' }), 1)
  t.equal(value(text, 'frp_http_cache_total', { route: '/c', result: 'stale' }), 0)
  t.equal(value(text, 'frp_cache_requests_total', { result: 'l1_hit' }), 6, 'route hits 4 + wrap hits 2')
  t.equal(value(text, 'frp_cache_requests_total', { result: 'miss' }), 3, 'route 1, w1 1, bad 1')
  t.equal(value(text, 'frp_cache_fetches_total', { outcome: 'ok' }), 1)
  t.equal(value(text, 'frp_cache_fetches_total', { outcome: 'error' }), 1)
  t.equal(value(text, 'frp_cache_fetch_duration_seconds_count', {}), 2)
  t.equal(value(text, 'frp_cache_invalidations_total', { kind: 'key', origin: 'local' }), 1)
  t.equal(value(text, 'frp_cache_invalidations_total', { kind: 'tag', origin: 'local' }), 1)
  t.ok(value(text, 'frp_cache_l1_entries', {}) >= 1)

  t.equal(value(text, 'frp_ratelimit_decisions_total', { policy: 'two', outcome: 'allowed', source: 'redis' }), 2)
  t.equal(value(text, 'frp_ratelimit_decisions_total', { policy: 'two', outcome: 'denied', source: 'redis' }), 3)

  t.equal(value(text, 'frp_sessions_created_total', {}), 1)
  t.equal(value(text, 'frp_session_loads_total', { result: 'found' }), 2)
  t.equal(value(text, 'frp_session_loads_total', { result: 'invalid' }), 1)
  t.equal(value(text, 'frp_session_saves_total', { result: 'ok' }), 1)

  t.equal(value(text, 'frp_lock_acquires_total', { outcome: 'acquired' }), 1)
  t.equal(value(text, 'frp_lock_acquires_total', { outcome: 'timeout' }), 1)
  t.equal(value(text, 'frp_lock_wait_seconds_count', {}), 1)
  t.equal(value(text, 'frp_lock_held_seconds_count', {}), 1)
  t.equal(value(text, 'frp_lock_extensions_total', {}), 1)
  t.equal(value(text, 'frp_lock_lost_total', {}), 0)

  t.equal(value(text, 'frp_leaderboard_submits_total', { board: 'weekly', changed: 'true' }), 2)
  t.equal(value(text, 'frp_leaderboard_submits_total', { board: 'weekly', changed: 'false' }), 1)
  t.equal(value(text, 'frp_leaderboard_reads_total', { board: 'weekly', op: 'top' }), 1)
  t.equal(value(text, 'frp_leaderboard_reads_total', { board: 'weekly', op: 'rank' }), 1)

  t.equal(value(text, 'frp_queue_jobs_finished_total', { queue: 'email', outcome: 'completed' }), 3)
  t.equal(value(text, 'frp_queue_jobs_finished_total', { queue: 'email', outcome: 'failed' }), 1)
  t.equal(value(text, 'frp_queue_jobs_finished_total', { queue: 'email', outcome: 'retried' }), 1)
  t.equal(value(text, 'frp_queue_job_duration_seconds_count', { queue: 'email' }), 5, 'one observation per attempt')
  t.equal(value(text, 'frp_queue_job_wait_seconds_count', { queue: 'email' }), 4, 'one per job: its first attempt')
  t.equal(value(text, 'frp_queue_jobs', { queue: 'email', state: 'failed' }), 1)
  t.equal(value(text, 'frp_queue_jobs', { queue: 'email', state: 'waiting' }), 0)

  t.equal(value(text, 'frp_otp_issued_total', {}), 1)
  t.equal(value(text, 'frp_otp_cooldowns_total', {}), 1)
  t.equal(value(text, 'frp_otp_verifications_total', { result: 'wrong' }), 1)
  t.equal(value(text, 'frp_otp_verifications_total', { result: 'exhausted' }), 1)
  t.equal(value(text, 'frp_otp_verifications_total', { result: 'expired' }), 1)
  t.equal(value(text, 'frp_activity_marks_total', { activity: 'active', first: 'true' }), 2)
  t.equal(value(text, 'frp_activity_marks_total', { activity: 'active', first: 'false' }), 1)

  t.equal(value(text, 'frp_redis_up', { client: 'default' }), 1)
  t.ok(value(text, 'frp_redis_used_memory_bytes', { client: 'default' }) > 0)
  t.equal(value(text, 'frp_redis_maxmemory_policy_info', { client: 'default', policy: 'noeviction' }), 1)
  t.match(text, /# TYPE frp_cache_requests_total counter/)

  // Counters never go down between scrapes.
  await app.inject('/c')
  t.equal(value(await scrape(app), 'frp_http_cache_total', { route: '/c', result: 'hit' }), 5)
})

test('registered before the patterns, the plugin still finds them; 10,000 keys, clients, members and ad hoc boards add no series', async t => {
  const redis = await startRedis(t)
  const app = await fullApp(t, redis.client(), true)
  const warm = async (i: number): Promise<void> => {
    await app.cache.wrap(`key:${i}`, async () => i)
    await app.rateLimit.check(`client:${i}`, { limit: 1, window: 60_000, name: 'per-client' })
    await app.leaderboard('weekly').submit(`member:${i}`, i)
    // A board made on the fly from a request-chosen name: all such boards share one label.
    await app.leaderboard(`board${i}`).submit('m', 1)
    await app.activity.mark(i + 2)
    await app.otp.verify(`subject:${i}`, '123456')
  }
  await warm(-1)
  await warm(-2)
  const before = series(await scrape(app))
  t.ok(before.length > 0)
  for (let i = 0; i < 10_000; i += 100) {
    await Promise.all(Array.from({ length: 100 }, async (_, j) => await warm(i + j)))
  }
  const after = series(await scrape(app))
  t.strictSame(after, before, 'the same series, whatever the keys, clients and members')
  t.equal(value(await scrape(app), 'frp_leaderboard_submits_total', { board: 'weekly', changed: 'true' }), 10_002)
})

test('options: a custom path, expose: false, an existing registry, and clear errors', async t => {
  const redis = await startRedis(t)
  const registry = new Registry()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client: redis.client(), closeClient: false })
  await app.register(redisCache, { prefix: 'o' })
  await app.register(redisMetrics, { registry, expose: false })
  await app.ready()
  t.equal((await app.inject('/metrics')).statusCode, 404, 'expose: false serves nothing')
  t.equal(app.redisMetrics.registry, registry)
  const only = await registry.metrics()
  t.match(only, /frp_cache_requests_total/)
  t.notMatch(only, /frp_(session|sessions|lock|leaderboard|queue|ratelimit|http_cache|otp|activity)_/, 'no families of plugins the app does not register (nor of the route cache: no cached route)')

  const custom = Fastify()
  t.teardown(() => custom.close())
  await custom.register(fastifyRedis, { client: redis.client(), closeClient: false })
  await custom.register(redisMetrics, { path: '/internal/metrics' })
  const res = await custom.inject('/internal/metrics')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)

  for (const [opts, name] of [[{ path: 'metrics' }, 'redisMetrics.path'], [{ expose: 'yes' }, 'redisMetrics.expose'], [{ buckets: { latency: [1, 0.5] } }, 'redisMetrics.buckets.latency'], [{ registry: {} }, 'redisMetrics.registry'], [{ pth: '/m' }, 'redisMetrics.pth']] as const) {
    const bad = Fastify()
    t.teardown(() => bad.close())
    bad.register(redisMetrics, opts as never)
    await t.rejects(async () => { await bad.ready() }, { code: 'FRP_INVALID_OPTION', message: new RegExp(name.replace('.', '\\.')) }, name)
  }
  // A second app on the same registry while the first is open: refused, naming the option.
  const twin = Fastify()
  t.teardown(() => twin.close())
  twin.register(redisMetrics, { registry })
  await t.rejects(async () => { await twin.ready() }, { code: 'FRP_INVALID_OPTION', message: /redisMetrics\.registry.*already holds/ })
})

// Issue 16 item 4: Redis unreachable at startup. The cache plugin used to refuse to register (and
// awaited its subscriber); now it registers with only `client` (no @fastify/redis), warns once,
// serves from the origin (the handler, the fetcher) and caches once Redis is up.
import { test } from 'tap'
import { redisCache } from '../../plugins/cache.js'
import { eventually } from '../helpers/redis.js'
import { downRedis, loggedApp, startupWarnings } from '../helpers/startup.js'

test('Redis down at startup: the app starts, answers from the origin, then caches once Redis is up', async t => {
  const down = await downRedis(t)
  const logged = loggedApp(t)
  const { app } = logged
  await app.register(redisCache, { client: down.client, ttl: 60_000, l1: false, commandTimeout: 500 })
  let calls = 0
  app.get('/data', { config: { cache: true } }, async () => ({ n: ++calls }))
  await app.ready()

  const warned = startupWarnings(logged, 'cache')
  t.equal(warned.length, 1, 'one startup warning')
  t.equal(warned[0].err, undefined, 'no error object (no stack trace) in the warning')

  const res = await app.inject('/data')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-cache'], 'MISS')
  t.strictSame(res.json(), { n: 1 }, 'answered by the handler')
  t.equal(await app.cache.wrap('k', async () => 'origin'), 'origin', 'wrap falls back to the fetcher')

  await down.up()
  // Once Redis answers, a response is stored and the next request is a hit from Redis (no L1).
  const hit = await eventually(async () => {
    const r = await app.inject('/data')
    return r.headers['x-cache'] === 'HIT' ? r : null
  }, { ms: 10_000, every: 100, what: 'a cache hit after Redis came up' })
  const again = await app.inject('/data')
  t.equal(again.headers['x-cache'], 'HIT')
  t.strictSame(again.json(), hit?.json(), 'the stored response is served')
  t.equal(calls, hit?.json().n, 'the handler ran no more once cached')
})

test('Redis down at startup with L1: the invalidation bus goes live once Redis is up, so L1 serves again', async t => {
  const down = await downRedis(t)
  const { app } = loggedApp(t)
  await app.register(redisCache, { client: down.client, ttl: 60_000, commandTimeout: 500 })
  await app.ready()
  t.equal(app.cache.stats().busLive, false, 'L1 is bypassed while the subscriber is down')
  await down.up()
  await eventually(() => app.cache.stats().busLive, { ms: 10_000, what: 'the invalidation bus to go live after Redis came up' })
  t.equal(app.cache.stats().busLive, true)
})

test('a missing client names the option', async t => {
  const { app } = loggedApp(t)
  app.register(redisCache, {})
  await t.rejects(async () => { await app.ready() }, { code: 'FRP_INVALID_OPTION', message: /^Invalid option "redisCache\.client": .*@fastify\/redis/ })
})

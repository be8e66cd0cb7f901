// Issue 16 item 4: Redis unreachable at startup. The plugin registers with only `client` (no
// @fastify/redis), warns once, applies onRedisError ('deny' here: 503; 'allow': the insurance
// limiter), and counts in Redis once it is up.
import { test } from 'tap'
import { redisRateLimit } from '../../plugins/rate-limit.js'
import { eventually } from '../helpers/redis.js'
import { downRedis, loggedApp, startupWarnings } from '../helpers/startup.js'

test('Redis down at startup, onRedisError deny: the app starts, answers 503, then limits through Redis once it is up', async t => {
  const down = await downRedis(t)
  const logged = loggedApp(t)
  const { app } = logged
  await app.register(redisRateLimit, { client: down.client, limit: 5, window: 60_000, onRedisError: 'deny', commandTimeout: 300 })
  app.get('/', async () => ({ ok: true }))
  await app.ready()

  const warned = startupWarnings(logged, 'rate-limit')
  t.equal(warned.length, 1, 'one startup warning')
  t.equal(warned[0].err, undefined, 'no error object (no stack trace) in the warning')
  t.match(warned[0].msg, /onRedisError 'deny'/, 'the warning says which policy applies')

  const res = await app.inject('/')
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'FRP_RATE_LIMIT_STORE')

  await down.up()
  const ok = await eventually(async () => {
    const r = await app.inject('/')
    return r.statusCode === 200 ? r : null
  }, { ms: 10_000, every: 100, what: 'requests allowed after Redis came up' })
  t.match(ok?.headers.ratelimit, /;r=\d+;/, 'answered by Redis')
})

test('Redis down at startup, onRedisError allow: the insurance limiter serves and limits', async t => {
  const down = await downRedis(t)
  const { app } = loggedApp(t)
  await app.register(redisRateLimit, { client: down.client, limit: 2, window: 60_000, commandTimeout: 300, keyGenerator: () => 'k' })
  app.get('/', async () => ({ ok: true }))
  await app.ready()
  const codes = []
  for (let i = 0; i < 3; i++) codes.push((await app.inject('/')).statusCode)
  t.strictSame(codes, [200, 200, 429], 'the in-memory insurance limiter enforces the limit')
})

test('a missing client names the option', async t => {
  const { app } = loggedApp(t)
  app.register(redisRateLimit, { limit: 5, window: 1000 })
  await t.rejects(async () => { await app.ready() }, { code: 'FRP_INVALID_OPTION', message: /^Invalid option "redisRateLimit\.client": .*@fastify\/redis/ })
})

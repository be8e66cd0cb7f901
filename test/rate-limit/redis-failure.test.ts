// Redis down or stalled: the hook answers within the timeout, by the onRedisError policy, and
// goes back to Redis when it returns.
import t from 'tap'
import { buildApp } from '../helpers/rate-limit.js'
import { startRedis, eventually } from '../helpers/redis.js'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'

t.test('onRedisError deny: Redis killed → 503 with a coded body, then back to normal after restart', async t => {
  const r = await startRedis(t)
  const app = await buildApp(r.client(), { limit: 5, window: 60_000, onRedisError: 'deny', commandTimeout: 200 })
  t.teardown(() => app.close())
  t.equal((await app.inject('/')).statusCode, 200)
  await r.kill()
  const res = await app.inject('/')
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'FRP_RATE_LIMIT_STORE')
  t.equal(res.headers['retry-after'], '1')
  await r.restart()
  await eventually(async () => (await app.inject('/')).statusCode === 200, { what: 'requests allowed again after the restart' })
  const after = await app.inject('/')
  t.match(after.headers.ratelimit, /;r=\d+;/, 'answered by Redis again')
})

t.test('onRedisError allow: Redis killed → the in-memory insurance limiter enforces limit per process', async t => {
  const r = await startRedis(t)
  const app = await buildApp(r.client(), { limit: 3, window: 60_000, commandTimeout: 200, keyGenerator: () => 'insured' })
  t.teardown(() => app.close())
  t.equal((await app.inject('/')).statusCode, 200)
  await r.kill()
  const codes = []
  for (let i = 0; i < 5; i++) codes.push((await app.inject('/')).statusCode)
  t.strictSame(codes, [200, 200, 200, 429, 429])
})

t.test('onRedisError allow with insurance divided by instances', async t => {
  const r = await startRedis(t)
  const app = await buildApp(r.client(), { limit: 6, window: 60_000, commandTimeout: 200, insurance: { instances: 3 }, keyGenerator: () => 'insured-3' })
  t.teardown(() => app.close())
  await r.kill()
  const codes = []
  for (let i = 0; i < 3; i++) codes.push((await app.inject('/')).statusCode)
  t.strictSame(codes, [200, 200, 429], 'each of 3 instances allows 6 / 3 = 2')
})

t.test('onRedisError allow without insurance lets every request through while Redis is down', async t => {
  const r = await startRedis(t)
  const app = await buildApp(r.client(), { limit: 1, window: 60_000, commandTimeout: 200, insurance: false })
  t.teardown(() => app.close())
  await r.kill()
  for (let i = 0; i < 3; i++) t.equal((await app.inject('/')).statusCode, 200)
})

t.test('a stalled Redis (CLIENT PAUSE) cannot hold a request past the timeout', async t => {
  const r = await startRedis(t)
  // commandTimeout 2000 on the test client: the limiter's own 150 ms bound must cut in.
  const app = await buildApp(r.client(), { limit: 5, window: 60_000, onRedisError: 'deny', commandTimeout: 150 })
  t.teardown(() => app.close())
  t.equal((await app.inject('/')).statusCode, 200)
  // CLIENT PAUSE ALL also stalls CLIENT UNPAUSE on Redis 7.0, so the pause is short and runs out.
  await r.pause(2000)
  // Had the hook waited for Redis, it would answer 200 once the pause ends.
  const res = await app.inject('/')
  t.equal(res.statusCode, 503)
})

t.test('the core throws a coded FRP_RATE_LIMIT_STORE error by default, distinct from a limited result', async t => {
  const r = await startRedis(t)
  const redis = r.client({ commandTimeout: 400 })
  await redis.ping()
  const rl = new RateLimiter(redis, { commandTimeout: 5000 })
  const rule = rl.rule({ limit: 1, window: 60_000 })
  t.equal((await rl.hit('core', rule)).allowed, true)
  t.equal((await rl.hit('core', rule)).allowed, false)
  await r.pause(2000)
  await t.rejects(rl.peek('core', rule), { code: 'FRP_RATE_LIMIT_STORE' }, "bounded by the client's shorter commandTimeout")
  await r.kill()
  await t.rejects(rl.peek('core', rule), { code: 'FRP_RATE_LIMIT_STORE', statusCode: 503 })
})

t.test('the plugin starts while Redis is down and applies its failure policy', async t => {
  const live = await startRedis(t)
  const r = await startRedis(t)
  const client = r.client()
  await r.kill()
  // @fastify/redis itself waits for its client, so it gets a live one; the limiter gets the dead one.
  const app = await buildApp(live.client(), { limit: 1, window: 60_000, onRedisError: 'deny', commandTimeout: 200, client })
  t.teardown(() => app.close())
  t.equal((await app.inject('/')).statusCode, 503)
})

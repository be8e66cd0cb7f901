// docs/rate-limit.md, counters: "A route with its own policies has its own counters
// (`r:<METHOD> <url>|<key>`; HEAD counts with GET)". Fastify answers HEAD for every GET route;
// those requests must draw on the GET route's counter, not on a separate HEAD counter.
import t from 'tap'
import { buildApp } from '../helpers/rate-limit.js'
import { startRedis } from '../helpers/redis.js'

t.test('HEAD is counted together with GET', async t => {
  const r = await startRedis(t)
  const redis = r.client()
  let n = 0
  const unique = (): string => `k${n++}`

  t.test('a route with its own policies: one counter for GET and HEAD', async t => {
    const key = unique()
    const app = await buildApp(redis, { limit: 100, window: 60_000, keyGenerator: () => key }, app => {
      app.get('/item', { config: { rateLimit: { limit: 3, window: 60_000 } } }, async () => ({ ok: true }))
    })
    t.teardown(() => app.close())
    const codes: number[] = []
    for (const method of ['GET', 'HEAD', 'GET', 'HEAD', 'GET'] as const) codes.push((await app.inject({ method, url: '/item' })).statusCode)
    t.strictSame(codes, [200, 200, 200, 429, 429])
    const peek = await app.rateLimit.peek(`r:GET /item|${key}`, { limit: 3, window: 60_000 })
    t.equal(peek.remaining, 0, 'the counter is the GET route key')
    await app.rateLimit.reset(`r:GET /item|${key}`)
    t.equal((await app.inject({ method: 'HEAD', url: '/item' })).statusCode, 200, 'resetting the GET key frees HEAD too')
  })

  t.test('a HEAD answer carries the GET route policy headers', async t => {
    const key = unique()
    const app = await buildApp(redis, { limit: 100, window: 60_000, keyGenerator: () => key }, app => {
      app.get('/item', { config: { rateLimit: { limit: 3, window: 60_000 } } }, async () => ({ ok: true }))
    })
    t.teardown(() => app.close())
    await app.inject('/item')
    const head = await app.inject({ method: 'HEAD', url: '/item' })
    t.equal(head.headers['ratelimit-policy'], '"3-per-1m";q=3;w=60')
    t.match(head.headers.ratelimit, /;r=1;/, 'the second request of the shared counter')
  })

  t.test('a grouped route: HEAD counts in the group', async t => {
    const key = unique()
    const app = await buildApp(redis, { limit: 100, window: 60_000, keyGenerator: () => key }, app => {
      const cfg = { group: 'g', limit: 2, window: 60_000 }
      app.get('/a', { config: { rateLimit: cfg } }, async () => 'a')
      app.get('/b', { config: { rateLimit: cfg } }, async () => 'b')
    })
    t.teardown(() => app.close())
    const codes = [
      (await app.inject({ method: 'HEAD', url: '/a' })).statusCode,
      (await app.inject({ method: 'GET', url: '/b' })).statusCode,
      (await app.inject({ method: 'HEAD', url: '/b' })).statusCode
    ]
    t.strictSame(codes, [200, 200, 429])
  })
})

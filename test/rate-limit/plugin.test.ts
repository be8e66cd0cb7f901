// The Fastify adapter: headers, 429 body, route config (before and after registration), groups,
// allowList, cost, keyGenerator failures, decorators.
import t from 'tap'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { Writable } from 'node:stream'
import { redisRateLimit } from '../../plugins/rate-limit.js'
import { buildApp } from '../helpers/rate-limit.js'
import { startRedis } from '../helpers/redis.js'

t.test('plugin', async t => {
  const r = await startRedis(t)
  const redis = r.client()
  let n = 0
  const unique = (): string => `k${n++}-${Math.random()}`

  t.test('allowed responses carry RateLimit-Policy and RateLimit headers (draft-ietf-httpapi-ratelimit-headers-11)', async t => {
    const key = unique()
    const app = await buildApp(redis, { limit: 3, window: 60_000, keyGenerator: () => key })
    t.teardown(() => app.close())
    const res = await app.inject('/')
    t.equal(res.statusCode, 200)
    t.equal(res.headers['ratelimit-policy'], '"3-per-1m";q=3;w=60')
    t.match(res.headers.ratelimit, /^"3-per-1m";r=2;t=60$/)
    t.equal(res.headers['x-ratelimit-limit'], undefined, 'legacy headers are off by default')
  })

  t.test('a limited request gets 429, Retry-After and a JSON body naming the retry time', async t => {
    const key = unique()
    const app = await buildApp(redis, { limit: 1, window: 60_000, keyGenerator: () => key, legacyHeaders: true })
    t.teardown(() => app.close())
    t.equal((await app.inject('/')).statusCode, 200)
    const res = await app.inject('/')
    t.equal(res.statusCode, 429)
    t.equal(res.headers['retry-after'], '60')
    t.equal(res.headers['x-ratelimit-limit'], '1')
    t.equal(res.headers['x-ratelimit-remaining'], '0')
    t.match(res.headers.ratelimit, /^"1-per-1m";r=0;t=\d+$/)
    const body = res.json()
    t.equal(body.code, 'FRP_RATE_LIMITED')
    t.equal(body.statusCode, 429)
    t.match(body.message, /retry in 60 s/)
    t.ok(body.retryAfterMs > 59_000)
    t.match(res.headers['content-type'], /^application\/json/)
  })

  t.test('the default 429 body (built as a JSON string) is exactly JSON.stringify of its fields', async t => {
    const key = unique()
    const name = 'login.v2:per/ip-x_y'
    const app = await buildApp(redis, { policies: { limit: 1, window: 60_000, name }, keyGenerator: () => key })
    t.teardown(() => app.close())
    await app.inject('/')
    // Several rejections: the parts around retryAfterMs are reused within a retry second.
    for (let i = 0; i < 3; i++) {
      const res = await app.inject('/')
      t.equal(res.statusCode, 429)
      const body = res.json()
      t.equal(body.policy, name)
      t.equal(res.body, JSON.stringify({
        statusCode: 429,
        code: 'FRP_RATE_LIMITED',
        error: 'Too Many Requests',
        message: `Rate limit exceeded (${name}), retry in ${Math.max(1, Math.ceil(body.retryAfterMs / 1000))} s`,
        retryAfterMs: body.retryAfterMs,
        policy: name
      }))
    }
  })

  t.test('status, body and onExceeded are customisable', async t => {
    const key = unique()
    const seen: string[] = []
    const app = await buildApp(redis, {
      limit: 1,
      window: 60_000,
      keyGenerator: () => key,
      statusCode: 420,
      errorResponse: (_req, result) => ({ slowDown: true, waitMs: result.retryAfterMs }),
      onExceeded: (_req, k) => { seen.push(k) }
    })
    t.teardown(() => app.close())
    await app.inject('/')
    const res = await app.inject('/')
    t.equal(res.statusCode, 420)
    t.equal(res.json().slowDown, true)
    t.strictSame(seen, [key])
  })

  t.test('route config: own policies, false, and routes declared before registration', async t => {
    const key = unique()
    const app = Fastify()
    await app.register(fastifyRedis, { client: redis, closeClient: false })
    // Declared before the plugin is registered: resolved lazily from the route config.
    app.get('/early', { config: { rateLimit: { limit: 1, window: 60_000 } } }, async () => 'early')
    app.register(redisRateLimit, { limit: 2, window: 60_000, keyGenerator: () => key })
    app.get('/late', { config: { rateLimit: [{ limit: 1, window: 60_000 }, { limit: 10, window: 3_600_000 }] } }, async () => 'late')
    app.get('/free', { config: { rateLimit: false } }, async () => 'free')
    app.get('/global', async () => 'global')
    t.teardown(() => app.close())
    await app.ready()
    t.strictSame([(await app.inject('/early')).statusCode, (await app.inject('/early')).statusCode], [200, 429])
    const late = await app.inject('/late')
    t.equal(late.headers['ratelimit-policy'], '"1-per-1m";q=1;w=60, "10-per-1h";q=10;w=3600')
    t.equal((await app.inject('/late')).statusCode, 429)
    for (let i = 0; i < 5; i++) t.equal((await app.inject('/free')).statusCode, 200)
    t.equal((await app.inject('/free')).headers.ratelimit, undefined)
    t.strictSame([(await app.inject('/global')).statusCode, (await app.inject('/global')).statusCode, (await app.inject('/global')).statusCode], [200, 200, 429])
    t.equal((await app.inject('/unknown')).statusCode, 429, 'unknown routes (the 404 handler) share the global counter')
  })

  t.test('routes of one group share their counters; routes without a group do not', async t => {
    const key = unique()
    const app = await buildApp(redis, { limit: 100, window: 60_000, keyGenerator: () => key }, app => {
      const login = { group: 'auth', limit: 3, window: 60_000 }
      app.post('/login', { config: { rateLimit: login } }, async () => 'in')
      app.post('/otp', { config: { rateLimit: login } }, async () => 'otp')
      app.get('/a', { config: { rateLimit: { limit: 1, window: 60_000 } } }, async () => 'a')
      app.get('/b', { config: { rateLimit: { limit: 1, window: 60_000 } } }, async () => 'b')
    })
    t.teardown(() => app.close())
    const codes = []
    for (const url of ['/login', '/otp', '/login', '/otp']) codes.push((await app.inject({ method: 'POST', url })).statusCode)
    t.strictSame(codes, [200, 200, 200, 429])
    t.equal((await app.inject('/a')).statusCode, 200)
    t.equal((await app.inject('/b')).statusCode, 200, 'same policy, no group: separate counters')
  })

  t.test('a group declared with different policies fails at route declaration', async t => {
    const app = Fastify()
    await app.register(fastifyRedis, { client: redis, closeClient: false })
    await app.register(redisRateLimit, { limit: 100, window: 60_000 })
    t.teardown(() => app.close())
    app.get('/x', { config: { rateLimit: { group: 'g', limit: 3, window: 60_000 } } }, async () => 'x')
    t.throws(() => app.get('/y', { config: { rateLimit: { group: 'g', limit: 4, window: 60_000 } } }, async () => 'y'), /group "g" is already declared/)
  })

  t.test('allowList keys are never limited', async t => {
    const app = await buildApp(redis, { limit: 1, window: 60_000, allowList: ['127.0.0.1'] })
    t.teardown(() => app.close())
    for (let i = 0; i < 3; i++) t.equal((await app.inject('/')).statusCode, 200)
    const fnApp = await buildApp(redis, { limit: 1, window: 60_000, allowList: (req) => req.headers['x-admin'] === '1', keyGenerator: unique })
    t.teardown(() => fnApp.close())
    t.equal((await fnApp.inject({ url: '/', headers: { 'x-admin': '1' } })).headers.ratelimit, undefined)
  })

  t.test('cost(request) weighs requests', async t => {
    const key = unique()
    const app = await buildApp(redis, { limit: 10, window: 60_000, keyGenerator: () => key, cost: req => Number(req.headers['x-cost'] ?? 1) })
    t.teardown(() => app.close())
    t.equal((await app.inject({ url: '/', headers: { 'x-cost': '7' } })).statusCode, 200)
    t.equal((await app.inject({ url: '/', headers: { 'x-cost': '4' } })).statusCode, 429)
    const ok = await app.inject({ url: '/', headers: { 'x-cost': '3' } })
    t.equal(ok.statusCode, 200)
    t.match(ok.headers.ratelimit, /;r=0;/)
    t.equal((await app.inject({ url: '/', headers: { 'x-cost': '0' } })).statusCode, 500, 'a cost that is not a positive integer is a 500, never an allow')
  })

  t.test('the default key is request.ip, honouring trustProxy, with IPv6 grouped by /64', async t => {
    const app = await buildApp(redis, { limit: 1, window: 60_000 }, undefined, { trustProxy: true })
    t.teardown(() => app.close())
    const a = { 'x-forwarded-for': '2001:db8:1:2:aaaa::1' }
    const sameNet = { 'x-forwarded-for': '2001:db8:1:2:bbbb::9' }
    const otherNet = { 'x-forwarded-for': '2001:db8:1:3::1' }
    t.equal((await app.inject({ url: '/', headers: a })).statusCode, 200)
    t.equal((await app.inject({ url: '/', headers: sameNet })).statusCode, 429, 'same /64')
    t.equal((await app.inject({ url: '/', headers: otherNet })).statusCode, 200, 'other /64')
    t.equal((await app.inject({ url: '/', headers: { 'x-forwarded-for': '203.0.113.7' } })).statusCode, 200)
    t.equal((await app.inject({ url: '/', headers: { 'x-forwarded-for': '203.0.113.7' } })).statusCode, 429)
  })

  t.test('a keyGenerator that throws or returns a non-string gives a 500 with a clear log line, never an allow', async t => {
    const lines: string[] = []
    const stream = new Writable({ write (chunk, _enc, cb) { lines.push(String(chunk)); cb() } })
    const app = await buildApp(redis, { limit: 100, window: 60_000, keyGenerator: req => { if (req.url === '/?boom') throw new Error('no user'); return (req.url === '/?num' ? 42 : '') as unknown as string } }, undefined, { logger: { stream } })
    t.teardown(() => app.close())
    for (const url of ['/?boom', '/?num', '/?empty']) {
      const res = await app.inject(url)
      t.equal(res.statusCode, 500, url)
      t.equal(res.json().code, 'FRP_RATE_LIMIT_KEY')
    }
    t.ok(lines.some(l => l.includes('keyGenerator threw: no user')), 'logged')
    t.ok(lines.some(l => l.includes('keyGenerator must return a non-empty string, got number')), 'logged')
  })

  t.test('fastify.rateLimit.check/peek/reset work inside handlers (login attempts per username)', async t => {
    const user = unique()
    const app = await buildApp(redis, { global: false }, app => {
      const attempts = app.rateLimit.rule({ limit: 2, window: 60_000, algorithm: 'gcra' })
      app.post<{ Body: { user: string } }>('/login', async (req, reply) => {
        const r = await app.rateLimit.check(`login:${req.body.user}`, attempts)
        if (!r.allowed) return reply.code(429).send({ retryAfterMs: r.retryAfterMs })
        return { ok: true }
      })
    })
    t.teardown(() => app.close())
    const login = async (): Promise<number> => (await app.inject({ method: 'POST', url: '/login', payload: { user } })).statusCode
    t.strictSame([await login(), await login(), await login()], [200, 200, 429])
    t.equal((await app.rateLimit.peek(`login:${user}`, { limit: 2, window: 60_000, algorithm: 'gcra' })).remaining, 0)
    await app.rateLimit.reset(`login:${user}`)
    t.equal(await login(), 200)
    t.equal((await app.inject('/')).headers.ratelimit, undefined, 'global: false limits no route by default')
  })

  t.test('hook option: the check can run in preHandler (after validation)', async t => {
    const key = unique()
    const app = await buildApp(redis, { limit: 1, window: 60_000, hook: 'preHandler', keyGenerator: () => key }, app => {
      app.post('/', { schema: { body: { type: 'object', required: ['a'], properties: { a: { type: 'string' } } } } }, async () => 'ok')
    })
    t.teardown(() => app.close())
    t.equal((await app.inject({ method: 'POST', url: '/', payload: {} })).statusCode, 400)
    t.equal((await app.inject({ method: 'POST', url: '/', payload: { a: 'x' } })).statusCode, 200, 'the invalid request did not count')
    t.equal((await app.inject({ method: 'POST', url: '/', payload: { a: 'x' } })).statusCode, 429)
  })
})

// Refusals go through Fastify's error handler, as with @fastify/rate-limit. Regression (issue 18):
// a 429 (and the 503 of onRedisError 'deny') was written straight to the socket, so an app's
// setErrorHandler and onError hooks never saw it. The default body stays byte for byte what it was.
import t from 'tap'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import fastifyRedis from '@fastify/redis'
import type { Redis } from 'ioredis'
import { startRedis } from '../helpers/redis.js'
import { redisRateLimit, type RedisRateLimitOptions } from '../../plugins/rate-limit.js'

interface Seen { code?: string, statusCode?: number, retryAfterMs?: number, policy?: string, headers?: Record<string, unknown>, message?: string }

/** An app whose root error handler records what it sees and answers { handled: code }. */
async function appWithHandler (client: Redis, opts: RedisRateLimitOptions, seen: Seen[], declare?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifyRedis, { client, closeClient: false })
  app.setErrorHandler((err: FastifyError & Seen, _request, reply) => {
    seen.push({ code: err.code, statusCode: err.statusCode, retryAfterMs: err.retryAfterMs, policy: err.policy, headers: err.headers, message: err.message })
    return reply.code(err.statusCode ?? 500).send({ handled: err.code })
  })
  await app.register(redisRateLimit, opts)
  app.get('/', async () => ({ ok: true }))
  declare?.(app)
  await app.ready()
  return app
}

t.test("the app's setErrorHandler receives a 429 as FRP_RATE_LIMITED with statusCode, retryAfterMs, policy and headers", async t => {
  const r = await startRedis(t)
  const seen: Seen[] = []
  const app = await appWithHandler(r.client(), { limit: 1, window: 60_000, name: 'per-ip', legacyHeaders: true }, seen)
  t.teardown(() => app.close())
  t.equal((await app.inject('/')).statusCode, 200)
  const res = await app.inject('/')
  t.equal(res.statusCode, 429)
  t.strictSame(res.json(), { handled: 'FRP_RATE_LIMITED' }, "the app's handler wrote the body")
  t.equal(seen.length, 1, 'the handler saw exactly the refusal')
  const err = seen[0]
  t.equal(err.code, 'FRP_RATE_LIMITED')
  t.equal(err.statusCode, 429)
  t.equal(err.policy, 'per-ip')
  t.ok(typeof err.retryAfterMs === 'number' && err.retryAfterMs > 59_000 && err.retryAfterMs <= 60_000, `retryAfterMs ${err.retryAfterMs}`)
  t.equal(err.message, 'Rate limit exceeded (per-ip), retry in 60 s')
  t.strictSame(Object.keys(err.headers ?? {}).sort(), ['ratelimit', 'ratelimit-policy', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
  t.equal(err.headers?.['retry-after'], 60)
  // The handler did not copy them: the hook set them on the reply before handing over the error.
  t.equal(res.headers['retry-after'], '60')
  t.equal(res.headers['x-ratelimit-remaining'], '0')
  t.match(res.headers.ratelimit, /^"per-ip";r=0;t=60$/)
})

t.test('onError hooks see the refusal, and an encapsulated error handler gets the refusals of its own routes', async t => {
  const r = await startRedis(t)
  const rootSeen: Seen[] = []
  const onErrorCodes: string[] = []
  const app = await appWithHandler(r.client(), { limit: 1, window: 60_000 }, rootSeen, app => {
    app.addHook('onError', async (_request, _reply, err) => { onErrorCodes.push((err as FastifyError).code) })
    app.register(async child => {
      child.setErrorHandler((err: FastifyError, _request, reply) => reply.code(err.statusCode ?? 500).send({ child: err.code }))
      child.get('/child', async () => ({ ok: true }))
    })
  })
  t.teardown(() => app.close())
  const statuses = []
  for (let i = 0; i < 2; i++) statuses.push((await app.inject('/child')).statusCode)
  t.strictSame(statuses, [200, 429])
  // The default policy counts across routes: the root route is refused too.
  const root = await app.inject('/')
  t.strictSame({ status: root.statusCode, body: root.json() }, { status: 429, body: { handled: 'FRP_RATE_LIMITED' } })
  const child = await app.inject('/child')
  t.strictSame({ status: child.statusCode, body: child.json() }, { status: 429, body: { child: 'FRP_RATE_LIMITED' } })
  t.equal(rootSeen.length, 1, "the child's refusals did not reach the root handler")
  t.strictSame(onErrorCodes, ['FRP_RATE_LIMITED', 'FRP_RATE_LIMITED', 'FRP_RATE_LIMITED'], 'onError ran for every refusal')
})

t.test('without an error handler of the app, the default body is unchanged, also with a custom statusCode', async t => {
  const r = await startRedis(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client: r.client(), closeClient: false })
  await app.register(redisRateLimit, { limit: 1, window: 60_000, name: 'p', statusCode: 403 })
  app.get('/', async () => ({ ok: true }))
  t.equal((await app.inject('/')).statusCode, 200)
  const res = await app.inject('/')
  t.equal(res.statusCode, 403)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  const retryAfterMs = res.json().retryAfterMs
  t.equal(res.body, JSON.stringify({
    statusCode: 403,
    code: 'FRP_RATE_LIMITED',
    error: 'Forbidden',
    message: 'Rate limit exceeded (p), retry in 60 s',
    retryAfterMs,
    policy: 'p'
  }), 'the fields and their order are those of the direct reply it replaces')
})

t.test('with only an onError hook, the default handler writes the refusal byte for byte as the direct reply does', async t => {
  const r = await startRedis(t)
  const bodies: Record<string, string> = {}
  for (const withHook of [false, true]) {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(fastifyRedis, { client: r.client(), closeClient: false })
    await app.register(redisRateLimit, { limit: 1, window: 60_000, name: 'p', prefix: `hook${String(withHook)}` })
    const seen: string[] = []
    if (withHook) app.addHook('onError', async (_request, _reply, err) => { seen.push((err as FastifyError).code) })
    app.get('/', async () => ({ ok: true }))
    await app.inject('/')
    const res = await app.inject('/')
    t.equal(res.statusCode, 429)
    t.strictSame(seen, withHook ? ['FRP_RATE_LIMITED'] : [], withHook ? 'the hook saw the refusal' : 'nothing to see it')
    // retryAfterMs differs by a few ms between the apps: compare with it masked.
    bodies[String(withHook)] = res.body.replace(/"retryAfterMs":\d+/, '"retryAfterMs":0')
  }
  t.equal(bodies.true, bodies.false)
  t.equal(bodies.false, '{"statusCode":429,"code":"FRP_RATE_LIMITED","error":"Too Many Requests","message":"Rate limit exceeded (p), retry in 60 s","retryAfterMs":0,"policy":"p"}')
})

t.test('a route that declares its own 4xx response schema keeps it for the refusal', async t => {
  const r = await startRedis(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client: r.client(), closeClient: false })
  await app.register(redisRateLimit, { limit: 1, window: 60_000 })
  app.get('/', {
    schema: { response: { '4xx': { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } }
  }, async () => ({ ok: true }))
  await app.inject('/')
  const res = await app.inject('/')
  t.equal(res.statusCode, 429)
  t.strictSame(Object.keys(res.json()), ['code', 'message'], "the route's own 4xx schema shaped the body")
})

t.test('onRedisError deny: the 503 reaches the error handler as FRP_RATE_LIMIT_STORE with retry-after; the default body is unchanged', async t => {
  const r = await startRedis(t)
  const seen: Seen[] = []
  const handled = await appWithHandler(r.client(), { limit: 5, window: 60_000, onRedisError: 'deny', commandTimeout: 200 }, seen)
  t.teardown(() => handled.close())
  const plain = Fastify()
  t.teardown(() => plain.close())
  await plain.register(fastifyRedis, { client: r.client(), closeClient: false })
  await plain.register(redisRateLimit, { limit: 5, window: 60_000, onRedisError: 'deny', commandTimeout: 200 })
  plain.get('/', async () => ({ ok: true }))
  await plain.ready()
  t.equal((await handled.inject('/')).statusCode, 200)
  await r.kill()
  const res = await handled.inject('/')
  t.strictSame({ status: res.statusCode, body: res.json(), retryAfter: res.headers['retry-after'] }, { status: 503, body: { handled: 'FRP_RATE_LIMIT_STORE' }, retryAfter: '1' })
  t.match(seen, [{ code: 'FRP_RATE_LIMIT_STORE', statusCode: 503, headers: { 'retry-after': 1 } }])
  const direct = await plain.inject('/')
  t.equal(direct.statusCode, 503)
  t.equal(direct.body, JSON.stringify({ statusCode: 503, code: 'FRP_RATE_LIMIT_STORE', error: 'Service Unavailable', message: 'Rate limit store unavailable, retry later' }))
  t.equal(direct.headers['retry-after'], '1')
})

t.test('errorResponse: an Error goes through the error handler, any other value is the body as it is', async t => {
  const r = await startRedis(t)
  const seen: Seen[] = []
  const viaHandler = await appWithHandler(r.client(), {
    limit: 1,
    window: 60_000,
    errorResponse: (_request, result) => Object.assign(new Error(`slow down for ${result.retryAfterMs} ms`), { statusCode: 429, code: 'APP_SLOW_DOWN' })
  }, seen)
  t.teardown(() => viaHandler.close())
  await viaHandler.inject('/')
  const a = await viaHandler.inject('/')
  t.strictSame({ status: a.statusCode, body: a.json() }, { status: 429, body: { handled: 'APP_SLOW_DOWN' } })
  t.equal(a.headers['retry-after'], '60', 'the rate-limit headers are set before the custom error is handed over')

  const seenBody: Seen[] = []
  const asBody = await appWithHandler(r.client(), {
    limit: 1,
    window: 60_000,
    prefix: 'body',
    errorResponse: (_request, result) => ({ slowDown: true, waitMs: result.retryAfterMs, extra: 'kept' })
  }, seenBody)
  t.teardown(() => asBody.close())
  await asBody.inject('/')
  const b = await asBody.inject('/')
  t.equal(b.statusCode, 429)
  t.match(b.json(), { slowDown: true, extra: 'kept' }, 'no refusal schema filtered the custom body')
  t.equal(seenBody.length, 0, 'a body is a reply, not an error')
})

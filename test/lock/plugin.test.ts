// The Fastify adapter: decorator, route-level locks (serialise or 409), options and route config
// validation.
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyRedis from '@fastify/redis'
import type { Redis } from 'ioredis'
import { redisLock, type RedisLockOptions } from '../../plugins/lock.js'
import { Locker } from '../../lib/lock/locker.js'
import { startRedis } from '../helpers/redis.js'
import { pluginApp } from '../helpers/app.js'
import { redisMs, untilRedisMs } from '../helpers/redis-time.js'

/** Not ready yet: the tests add routes, and inject() readies the app. */
async function build (client: Redis, opts: RedisLockOptions = {}): Promise<FastifyInstance> {
  return await pluginApp(null, client, redisLock, { prefix: 'p', ...opts }, { ready: false })
}

test('route locks', async t => {
  const redis = await startRedis(t)

  await t.test('concurrent requests for one resource run one at a time; other resources are not blocked', async t => {
    const client = redis.client()
    const app = await build(client)
    t.teardown(() => app.close())
    let inside = 0
    let maxInside = 0
    const tokens: number[] = []
    app.post<{ Params: { id: string } }>('/orders/:id/pay', {
      config: { lock: { key: req => `order:${(req.params as { id: string }).id}`, ttl: 10_000, wait: 10_000 } }
    }, async request => {
      inside++
      maxInside = Math.max(maxInside, inside)
      tokens.push(request.lockLease?.fencingToken ?? -1)
      await new Promise(resolve => setImmediate(resolve)) // the other requests run meanwhile
      inside--
      return { ok: true }
    })
    app.get('/free', async request => ({ lease: request.lockLease }))
    const replies = await Promise.all(Array.from({ length: 5 }, () => app.inject({ method: 'POST', url: '/orders/1/pay' })))
    t.strictSame(replies.map(r => r.statusCode), [200, 200, 200, 200, 200])
    t.equal(maxInside, 1, 'serialised')
    t.strictSame([...tokens].sort((a, b) => a - b), tokens, 'each request saw its fencing token, in order')
    t.equal(await client.exists('p:lock:{order:1}'), 0, 'released after the responses')
    t.strictSame((await app.inject('/free')).json(), { lease: null }, 'routes without config.lock hold no lease')
  })

  await t.test('wait: 0 answers 409 with a JSON error while the resource is busy', async t => {
    const client = redis.client()
    const app = await build(client)
    t.teardown(() => app.close())
    app.put('/doc', { config: { lock: { key: () => 'doc', wait: false } } }, async () => ({ saved: true }))
    await app.ready()
    const held = await app.locker.acquire('doc')
    const busy = await app.inject({ method: 'PUT', url: '/doc' })
    t.equal(busy.statusCode, 409)
    t.match(busy.json(), { statusCode: 409, code: 'FRP_LOCK_NOT_ACQUIRED', error: 'Conflict' })
    await held.release()
    t.equal((await app.inject({ method: 'PUT', url: '/doc' })).statusCode, 200)
  })

  await t.test('the lock is released when the handler fails, and bad input is rejected before locking', async t => {
    const client = redis.client()
    const app = await build(client)
    t.teardown(() => app.close())
    let locked = 0
    app.post('/fail', {
      schema: { body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } },
      config: { lock: { key: () => { locked++; return 'failing' }, wait: 1000 } }
    }, async () => { throw new Error('handler failed') })
    const bad = await app.inject({ method: 'POST', url: '/fail', payload: { n: 'x' } })
    t.equal(bad.statusCode, 400, 'schema error, a 4xx')
    t.equal(locked, 0, 'no lock taken for an invalid request')
    const failed = await app.inject({ method: 'POST', url: '/fail', payload: { n: 1 } })
    t.equal(failed.statusCode, 500)
    t.equal(await client.exists('p:lock:{failing}'), 0, 'released after the error reply')
  })

  await t.test('autoExtend keeps a slow request\'s lock past its TTL', async t => {
    const client = redis.client()
    const app = await build(client)
    t.teardown(() => app.close())
    app.post('/slow', { config: { lock: { key: () => 'slow', ttl: 1000, autoExtend: true } } }, async request => {
      // Outlive three TTLs of Redis time.
      await untilRedisMs(client, await redisMs(client) + 3000, { what: 'three TTLs' })
      return { held: request.lockLease?.held }
    })
    t.strictSame((await app.inject({ method: 'POST', url: '/slow' })).json(), { held: true })
    t.equal(await client.exists('p:lock:{slow}'), 0)
  })

  await t.test('Redis timing out answers 503, not a hang', async t => {
    const client = redis.client()
    const app = await build(client, { commandTimeout: 100 })
    t.teardown(() => app.close())
    app.post('/x', { config: { lock: { key: () => 'x' } } }, async () => ({ ok: true }))
    await app.ready()
    await redis.pause(2000) // far longer than the 100 ms command timeout, even on a slow machine
    const res = await app.inject({ method: 'POST', url: '/x' })
    t.equal(res.statusCode, 503)
    t.match(res.json(), { code: 'FRP_REDIS_TIMEOUT' })
  })
})

test('decorators, client selection and validation', async t => {
  const redis = await startRedis(t)

  await t.test('fastify.lock and fastify.locker are the Locker', async t => {
    const app = await build(redis.client())
    t.teardown(() => app.close())
    await app.ready()
    t.ok(app.locker instanceof Locker)
    t.equal((app as unknown as { lock: Locker }).lock, app.locker)
    const result = await app.locker.using('job', async (_signal, lease) => lease.fencingToken)
    t.ok(Number.isSafeInteger(result) && result > 0, 'the lease ran with its fencing token')
  })

  await t.test('namespace and explicit client options pick the client', async t => {
    const app = Fastify()
    t.teardown(() => app.close())
    const other = redis.client()
    const namespaced = redis.client()
    await app.register(fastifyRedis, { client: redis.client() })
    await app.register(fastifyRedis, { client: namespaced, namespace: 'locks' })
    await app.register(redisLock, { namespace: 'locks', prefix: 'ns' })
    await app.ready()
    const first = await app.locker.acquire('a')
    t.equal(await namespaced.get('ns:lock:{a}'), first.token)
    await first.release()
    const app2 = Fastify()
    t.teardown(() => app2.close())
    await app2.register(fastifyRedis, { client: redis.client() })
    await app2.register(redisLock, { client: other, prefix: 'cl' })
    await app2.ready()
    const lease = await app2.locker.acquire('b')
    t.equal(await other.get('cl:lock:{b}'), lease.token)
    await lease.release()
  })

  await t.test('bad plugin options and bad route config fail at startup, naming the option', async t => {
    const bad = async (opts: object): Promise<void> => {
      const app = Fastify()
      try {
        await app.register(fastifyRedis, { client: redis.client() })
        await app.register(redisLock, opts)
        await app.ready()
      } finally {
        await app.close()
      }
    }
    await t.rejects(bad({ ttl: 'long' }), { code: 'FRP_INVALID_OPTION', message: /lock\.ttl/ })
    await t.rejects(bad({ namespace: 'missing' }), { message: /redisLock\.namespace/ })
    await t.rejects(bad({ client: {} }), { message: /redisLock\.client/ })
    await t.rejects(bad({ routeWait: -1 }), { message: /redisLock\.routeWait/ })
    // fastify.locker is typed fenced: an unfenced lease is asked for per call.
    await t.rejects(bad({ fencing: false }), { code: 'FRP_INVALID_OPTION', message: /redisLock\.fencing.*per call|redisLock\.fencing.*each call/ })

    const app = await build(redis.client())
    t.teardown(() => app.close())
    t.throws(() => app.get('/a', { config: { lock: { ttl: 100 } as never } }, async () => 'x'), { message: /config\.lock\.key.*required/ })
    t.throws(() => app.get('/b', { config: { lock: { key: () => 'k', wait: 'soon' } as never } }, async () => 'x'), { message: /config\.lock\.wait/ })
    t.throws(() => app.get('/c', { config: { lock: { key: () => 'k', tll: 5 } as never } }, async () => 'x'), { message: /config\.lock\.tll.*unknown/ })
  })

  // Issue 16: the plugin used to declare @fastify/redis as a hard dependency, so `client` could not
  // replace it. Now `client` is enough, and with neither the error names the option.
  await t.test('the plugin needs a client: `client` without @fastify/redis, or @fastify/redis', async t => {
    const app = Fastify()
    t.teardown(() => app.close())
    app.register(redisLock, { client: redis.client() })
    await app.ready()
    const lease = await app.locker.acquire('no-fastify-redis')
    t.equal(lease.held, true, 'locks through the given client')
    await lease.release()
    const none = Fastify()
    t.teardown(() => none.close())
    none.register(redisLock, {})
    await t.rejects(async () => { await none.ready() }, { code: 'FRP_INVALID_OPTION', message: /^Invalid option "redisLock\.client": .*@fastify\/redis/ })
  })
})

// Attacks on the route cache from the adversarial review (issue 15 items 1, 2, 3 and 7). Each
// test is written as the attack: it failed on the code before the fix and passes after.
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyRedis from '@fastify/redis'
import type { Redis } from 'ioredis'
import { startRedis } from '../helpers/redis.js'
import { buildApp } from './fixtures/app.js'
import { redisCache } from '../../plugins/cache.js'
import { redisRateLimit } from '../../plugins/rate-limit.js'

const user = (name: string): { 'x-user': string } => ({ 'x-user': name })

test('attack 1: a private response (Vary: X-User, Cache-Control: private, no-store) is never served to another user', async t => {
  const redis = await startRedis(t)
  let calls = 0
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/balance', { config: { cache: true } }, async (req, reply) => {
      calls++
      reply.header('vary', 'X-User').header('cache-control', 'private, no-store')
      return { secret: `balance-of-${String(req.headers['x-user'])}` }
    })
  })
  const alice = await app.inject({ url: '/balance', headers: user('alice') })
  const bob = await app.inject({ url: '/balance', headers: user('bob') })
  t.equal(alice.json().secret, 'balance-of-alice')
  t.equal(bob.json().secret, 'balance-of-bob', 'bob is not served alice\'s balance')
  t.equal(bob.headers['x-cache'], 'MISS')
  const again = await app.inject({ url: '/balance', headers: user('alice') })
  t.equal(again.headers['x-cache'], 'MISS', 'private, no-store responses are never stored')
  t.equal(calls, 3)
  t.strictSame(await redis.admin('KEYS', 'r:cache:{route:*}'), [], 'no entry was written to Redis')
})

test('attack 1: Cache-Control private, no-store and no-cache each keep a response out of the cache; Vary: * too', async t => {
  const redis = await startRedis(t)
  const calls: Record<string, number> = {}
  const app = await buildApp(t, redis.client(), {}, app => {
    for (const [path, name, value] of [
      ['/private', 'cache-control', 'private'],
      ['/private-field', 'cache-control', 'private="x-balance", max-age=60'],
      ['/no-store', 'cache-control', 'no-store'],
      ['/no-cache', 'cache-control', 'public, no-cache'],
      ['/vary-star', 'vary', '*']
    ] as const) {
      app.get(path, { config: { cache: true } }, async (_req, reply) => {
        calls[path] = (calls[path] ?? 0) + 1
        reply.header(name, value)
        return { n: calls[path] }
      })
    }
    app.get('/public', { config: { cache: true } }, async (_req, reply) => {
      calls['/public'] = (calls['/public'] ?? 0) + 1
      reply.header('cache-control', 'public, max-age=60')
      return { n: calls['/public'] }
    })
  })
  for (const path of ['/private', '/private-field', '/no-store', '/no-cache', '/vary-star']) {
    await app.inject(path)
    const second = await app.inject(path)
    t.equal(second.headers['x-cache'], 'MISS', `${path}: not stored`)
    t.equal(calls[path], 2, `${path}: the handler ran for each request`)
  }
  await app.inject('/public')
  const hit = await app.inject('/public')
  t.equal(hit.headers['x-cache'], 'HIT', 'a public response is still cached')
  t.equal(hit.headers['cache-control'], 'public, max-age=60')
})

test('attack 1: the response\'s own Vary header becomes part of the key; each user gets their own entry', async t => {
  const redis = await startRedis(t)
  let calls = 0
  const routes = (app: FastifyInstance): void => {
    app.get('/me', { config: { cache: true } }, async (req, reply) => {
      calls++
      reply.header('vary', 'Accept-Encoding, X-User')
      return { secret: `balance-of-${String(req.headers['x-user'])}` }
    })
  }
  const a = await buildApp(t, redis.client(), {}, routes)
  const b = await buildApp(t, redis.client(), {}, routes)
  // The first response reveals the Vary list: it is not stored under a key blind to X-User.
  t.equal((await a.inject({ url: '/me', headers: user('alice') })).json().secret, 'balance-of-alice')
  const bob = await a.inject({ url: '/me', headers: user('bob') })
  t.equal(bob.json().secret, 'balance-of-bob')
  t.equal(bob.headers['x-cache'], 'MISS')
  const bobHit = await a.inject({ url: '/me', headers: user('bob') })
  t.equal(bobHit.headers['x-cache'], 'HIT', 'stored under bob\'s own key once the route keys on X-User')
  t.equal(bobHit.json().secret, 'balance-of-bob')
  t.equal((await a.inject({ url: '/me', headers: user('alice') })).json().secret, 'balance-of-alice')
  // Another instance that has not seen the Vary header yet cannot read those entries.
  const carol = await b.inject({ url: '/me', headers: user('carol') })
  t.equal(carol.json().secret, 'balance-of-carol', 'an instance that has not learned the Vary list never serves another user\'s entry')
  t.equal((await b.inject({ url: '/me', headers: user('bob') })).json().secret, 'balance-of-bob')
  t.equal((await b.inject({ url: '/me', headers: user('dave') })).json().secret, 'balance-of-dave')
  t.ok(calls >= 5)
})

test('attack 2: rate-limit headers on cache hits are the current request\'s, not replayed from the entry', async t => {
  const redis = await startRedis(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client: redis.client() as Redis, closeClient: false })
  await app.register(redisRateLimit, { limit: 100, window: 60_000, legacyHeaders: true })
  await app.register(redisCache, { prefix: 'r' })
  app.get('/cached', { config: { cache: true } }, async () => ({ ok: true }))
  await app.ready()
  const seen: string[] = []
  const legacy: string[] = []
  for (let i = 0; i < 4; i++) {
    const r = await app.inject('/cached')
    t.equal(r.statusCode, 200)
    if (i > 0) t.equal(r.headers['x-cache'], 'HIT')
    seen.push(String(r.headers.ratelimit))
    legacy.push(String(r.headers['x-ratelimit-remaining']))
  }
  t.strictSame(seen.map(h => /;r=(\d+)/.exec(h)?.[1]), ['99', '98', '97', '96'], `RateLimit counts down on hits: ${seen.join(' | ')}`)
  t.strictSame(legacy, ['99', '98', '97', '96'])
})

test('attack 2: uncachedHeaders names more per-request headers; Retry-After is never stored', async t => {
  const redis = await startRedis(t)
  let n = 0
  const app = await buildApp(t, redis.client(), { uncachedHeaders: ['X-Request-Id'] }, app => {
    app.get('/r', { config: { cache: true } }, async (_req, reply) => {
      n++
      reply.header('x-request-id', `req-${n}`).header('retry-after', '5').header('x-kept', 'yes')
      return { ok: true }
    })
  })
  await app.inject('/r')
  const hit = await app.inject('/r')
  t.equal(hit.headers['x-cache'], 'HIT')
  t.equal(hit.headers['x-request-id'], undefined, 'a deny-listed header is not replayed')
  t.equal(hit.headers['retry-after'], undefined)
  t.equal(hit.headers['x-kept'], 'yes', 'other headers are replayed')
  t.rejects(async () => await buildApp(t, redis.client(), { uncachedHeaders: 'x' as unknown as string[] }), { code: 'FRP_INVALID_OPTION', message: /redisCache\.uncachedHeaders/ })
})

test('attack 3: every spelling of an id is tagged with the coerced id and invalidated together', async t => {
  const redis = await startRedis(t)
  let name = 'old'
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/users/:id', {
      schema: { params: { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: 2147483647 } }, required: ['id'] } },
      config: { cache: { tags: req => [`user:${String((req.params as { id: number }).id)}`] } }
    }, async req => ({ id: (req.params as { id: number }).id, name }))
  })
  const spellings = ['1', '01', '1.0', '+1', '0x1', '1e0']
  for (const s of spellings) {
    const r = await app.inject(`/users/${s}`)
    t.equal(r.statusCode, 200, `/users/${s} answers`)
    t.strictSame(r.json(), { id: 1, name: 'old' })
    t.equal((await app.inject(`/users/${s}`)).headers['x-cache'], 'HIT', `/users/${s} is cached`)
  }
  name = 'new'
  await app.cache.invalidateTags(['user:1'])
  for (const s of spellings) {
    const r = await app.inject(`/users/${s}`)
    t.equal(r.json().name, 'new', `/users/${s} serves the new name after invalidating user:1`)
    t.equal(r.headers['x-cache'], 'MISS')
  }
})

test('attack 3: a key function sees the coerced request, so spellings share one entry', async t => {
  const redis = await startRedis(t)
  let calls = 0
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/items/:id', {
      schema: { params: { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: 1000 } }, required: ['id'] } },
      config: { cache: { key: req => `item:${String((req.params as { id: number }).id)}` } }
    }, async req => ({ id: (req.params as { id: number }).id, n: ++calls }))
  })
  t.equal((await app.inject('/items/7')).headers['x-cache'], 'MISS')
  const other = await app.inject('/items/007')
  t.equal(other.headers['x-cache'], 'HIT', '/items/007 is the entry of item 7')
  t.strictSame(other.json(), { id: 7, n: 1 })
  t.equal(calls, 1)
})

test('attack 7: header values in keys are digests (no bearer token in key names); Host is in the key', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/per-user', { config: { cache: { vary: ['authorization'] } } }, async req => ({ who: req.headers.authorization }))
    app.get('/tenant', { config: { cache: true } }, async req => ({ tenant: req.headers.host }))
  })
  const token = 'Bearer s3cr3t-token-value'
  await app.inject({ url: '/per-user', headers: { authorization: token } })
  t.equal((await app.inject({ url: '/per-user', headers: { authorization: token } })).headers['x-cache'], 'HIT')
  const keys = await redis.admin('KEYS', '*') as string[]
  t.ok(keys.length > 0)
  t.notOk(keys.some(k => k.includes('s3cr3t') || k.includes('Bearer')), `no credential in key names: ${keys.join(' ')}`)
  const a = await app.inject({ url: '/tenant', headers: { host: 'a.example.com' } })
  const b = await app.inject({ url: '/tenant', headers: { host: 'b.example.com' } })
  t.equal(a.json().tenant, 'a.example.com')
  t.equal(b.json().tenant, 'b.example.com', 'another host is not served the first host\'s entry')
  t.equal(b.headers['x-cache'], 'MISS')
  t.equal((await app.inject({ url: '/tenant', headers: { host: 'a.example.com' } })).headers['x-cache'], 'HIT')
})

test('varyHost: false shares entries across hosts (opt-in)', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/shared', { config: { cache: { varyHost: false } } }, async req => ({ host: req.headers.host }))
  })
  await app.inject({ url: '/shared', headers: { host: 'a.example.com' } })
  const b = await app.inject({ url: '/shared', headers: { host: 'b.example.com' } })
  t.equal(b.headers['x-cache'], 'HIT')
  t.equal(b.json().host, 'a.example.com')
})

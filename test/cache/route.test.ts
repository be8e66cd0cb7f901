import { test } from 'tap'
import { createHash } from 'node:crypto'
import { startRedis, startCluster, eventually } from '../helpers/redis.js'
import { buildApp } from './fixtures/app.js'
import { commandCounts } from '../helpers/command-stats.js'

test('route cache: MISS then HIT with age and ETag; If-None-Match answers 304; HEAD served from the cache', async t => {
  const redis = await startRedis(t)
  let calls = 0
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/users/:id', { config: { cache: { ttl: 60_000 } } }, async req => {
      calls++
      return { id: (req.params as { id: string }).id, n: calls }
    })
    app.get('/plain', async () => ({ plain: true }))
  })
  const miss = await app.inject('/users/1?x=1')
  t.equal(miss.statusCode, 200)
  t.equal(miss.headers['x-cache'], 'MISS')
  t.ok(miss.headers.etag)
  const hit = await app.inject('/users/1?x=1')
  t.equal(hit.headers['x-cache'], 'HIT')
  t.equal(hit.body, miss.body)
  t.equal(hit.headers['content-type'], miss.headers['content-type'])
  t.equal(hit.headers.etag, miss.headers.etag)
  t.match(hit.headers.age, /^\d+$/)
  t.equal(calls, 1)
  const other = await app.inject('/users/1?x=2')
  t.equal(other.headers['x-cache'], 'MISS', 'the query string is part of the key')
  const notModified = await app.inject({ url: '/users/1?x=1', headers: { 'if-none-match': String(miss.headers.etag) } })
  t.equal(notModified.statusCode, 304)
  t.equal(notModified.body, '')
  const head = await app.inject({ method: 'HEAD', url: '/users/1?x=1' })
  t.equal(head.statusCode, 200)
  t.equal(head.headers['x-cache'], 'HIT')
  const plain = await app.inject('/plain')
  t.equal(plain.headers['x-cache'], undefined, 'routes without config.cache are untouched')
  t.equal(calls, 2)
})

test('route cache: only 2xx, never Set-Cookie; Authorization and Cookie bypass unless varied', async t => {
  const redis = await startRedis(t)
  const calls: Record<string, number> = {}
  const count = (k: string): number => { calls[k] = (calls[k] ?? 0) + 1; return calls[k] }
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/missing', { config: { cache: true } }, async (_req, reply) => { count('missing'); return await reply.code(404).send({ error: 'nope' }) })
    app.get('/cookie', { config: { cache: true } }, async (_req, reply) => { count('cookie'); reply.header('set-cookie', 'a=1'); return { ok: 1 } })
    app.get('/private', { config: { cache: true } }, async () => ({ n: count('private') }))
    app.get('/per-user', { config: { cache: { vary: ['authorization'] } } }, async req => ({ who: req.headers.authorization, n: count('per-user') }))
    app.get('/fails', { config: { cache: true } }, async () => { count('fails'); throw new Error('boom') })
  })
  await app.inject('/missing'); await app.inject('/missing')
  t.equal(calls.missing, 2, '404 not cached')
  await app.inject('/cookie'); await app.inject('/cookie')
  t.equal(calls.cookie, 2, 'Set-Cookie responses not cached')
  await app.inject('/fails'); const r = await app.inject('/fails')
  t.equal(r.statusCode, 500)
  t.equal(calls.fails, 2)
  const a = await app.inject({ url: '/private', headers: { authorization: 'Bearer a' } })
  t.equal(a.headers['x-cache'], 'BYPASS')
  await app.inject({ url: '/private', headers: { cookie: 'sid=1' } })
  t.equal(calls.private, 2, 'requests with credentials are not served from or stored in the cache')
  const u1 = await app.inject({ url: '/per-user', headers: { authorization: 'Bearer 1' } })
  const u2 = await app.inject({ url: '/per-user', headers: { authorization: 'Bearer 2' } })
  const u1again = await app.inject({ url: '/per-user', headers: { authorization: 'Bearer 1' } })
  t.equal(u1.json().who, 'Bearer 1')
  t.equal(u2.json().who, 'Bearer 2')
  t.equal(u1again.headers['x-cache'], 'HIT')
  t.equal(u1again.json().who, 'Bearer 1')
  t.equal(u1again.headers.vary, 'authorization', 'downstream caches are told what the response varies on')
})

test('route cache: concurrent misses of one key on two app instances run the handler once', async t => {
  const redis = await startRedis(t)
  let calls = 0
  const routes = (app: import('fastify').FastifyInstance): void => {
    app.get('/slow', { config: { cache: { ttl: 60_000 } } }, async () => {
      calls++
      await new Promise(resolve => setTimeout(resolve, 100))
      return { slow: true }
    })
  }
  const a = await buildApp(t, redis.client(), {}, routes)
  const b = await buildApp(t, redis.client(), {}, routes)
  const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).inject('/slow')))
  t.equal(calls, 1)
  t.ok(replies.every(r => r.statusCode === 200 && r.json().slow === true))
  t.equal(replies.filter(r => r.headers['x-cache'] === 'MISS').length, 1)
})

test('route cache: concurrent L2 hits of one key share one Redis read; a shared miss still runs the handler once', async t => {
  const redis = await startRedis(t)
  let calls = 0
  const app = await buildApp(t, redis.client(), { l1: false }, app => {
    app.get('/hot', { config: { cache: { ttl: 60_000 } } }, async () => {
      calls++
      await new Promise(resolve => setTimeout(resolve, 50))
      return { hot: true, n: calls }
    })
  })
  // Cold: every concurrent request finds the miss; one runs the handler, the others wait for its fill.
  const cold = await Promise.all(Array.from({ length: 20 }, () => app.inject('/hot')))
  t.equal(calls, 1, 'the handler ran once for 20 concurrent cold requests')
  t.ok(cold.every(r => r.statusCode === 200 && r.json().n === 1))
  t.equal(cold.filter(r => r.headers['x-cache'] === 'MISS').length, 1)

  const gets = async (): Promise<number> => (await commandCounts(redis.admin)).get ?? 0
  const joinsBefore = app.cache.stats().dedupeJoins
  const before = await gets()
  const hot = await Promise.all(Array.from({ length: 20 }, () => app.inject('/hot')))
  const sent = await gets() - before
  t.ok(hot.every(r => r.statusCode === 200 && r.headers['x-cache'] === 'HIT' && r.body === cold[0].body), 'every request is a hit with the stored body')
  t.ok(sent >= 1 && sent < 20, `20 concurrent hits sent fewer than 20 GETs (sent ${sent})`)
  t.equal(app.cache.stats().dedupeJoins - joinsBefore, 20 - sent, 'every request that sent no GET joined one in flight')
  t.equal(calls, 1)
})

test('route cache: tags and invalidation on one instance drop the response on the other', async t => {
  const redis = await startRedis(t)
  let version = 1
  const routes = (app: import('fastify').FastifyInstance): void => {
    app.get('/posts/:id', {
      config: { cache: { tags: req => [`post:${(req.params as { id: string }).id}`] } }
    }, async () => ({ version }))
  }
  const a = await buildApp(t, redis.client(), {}, routes)
  const b = await buildApp(t, redis.client(), {}, routes)
  t.equal((await a.inject('/posts/7')).json().version, 1)
  t.equal((await b.inject('/posts/7')).headers['x-cache'], 'HIT')
  version = 2
  await a.cache.invalidateTags(['post:7'])
  await eventually(async () => (await b.inject('/posts/7')).json().version === 2, { what: 'b serves the new version' })
  version = 3
  await b.cache.invalidatePrefix('route:/posts/')
  await eventually(async () => (await a.inject('/posts/7')).json().version === 3, { what: 'a serves version 3' })
})

test('route cache: stale-while-revalidate answers STALE and refreshes once in the background', async t => {
  const redis = await startRedis(t)
  let calls = 0
  let release: () => void = () => {}
  const held = new Promise<void>(resolve => { release = resolve })
  const app = await buildApp(t, redis.client(), { earlyRefresh: 0, l1: false }, app => {
    app.get('/swr', { config: { cache: { ttl: 30, staleWhileRevalidate: 60_000 } } }, async () => {
      const n = ++calls
      if (n === 2) await held // the background refresh waits until the stale reads below are done
      return { n }
    })
  })
  t.equal((await app.inject('/swr')).json().n, 1)
  await eventually(async () => (await app.inject('/swr')).headers['x-cache'] === 'STALE', { what: 'a STALE answer' })
  const stale = await Promise.all(Array.from({ length: 10 }, () => app.inject('/swr')))
  t.ok(stale.every(r => r.headers['x-cache'] === 'STALE' && r.json().n === 1))
  release()
  // The entry's key: the URL, then the Host header as a digest (inject sends localhost:80).
  const key = 'route:/swr\nhost=' + createHash('sha256').update('localhost:80').digest('base64url').slice(0, 22)
  await eventually(async () => calls === 2 && (await app.cache.get<string>(key, { staleWhileRevalidate: 60_000 }))?.includes('"n":2') === true, { what: 'the refreshed response stored' })
  t.equal(calls, 2, 'one refresh for eleven stale reads')
  // Regression: a forged refresh header made the request skip the cache and run the handler.
  const forged = await app.inject({ url: '/swr', headers: { 'x-frp-cache-refresh': 'guess' } })
  t.equal(forged.statusCode, 200)
  t.match(forged.headers['x-cache'], /^(HIT|STALE)$/, 'a forged refresh header is served from the cache like any request')
  t.equal(forged.json().n, 2, 'the stored response, not a new handler run')
  t.equal(calls <= 3, true, 'at most the one legitimate background refresh a stale answer starts')
})

test('route cache: Redis killed mid-test, routes still answer from the handler', async t => {
  const redis = await startRedis(t)
  let calls = 0
  const app = await buildApp(t, redis.client(), { commandTimeout: 200, l1: false }, app => {
    app.get('/r', { config: { cache: true } }, async () => ({ n: ++calls }))
  })
  t.equal((await app.inject('/r')).statusCode, 200)
  t.equal((await app.inject('/r')).headers['x-cache'], 'HIT')
  await redis.kill()
  const r = await app.inject('/r')
  t.equal(r.statusCode, 200)
  t.equal(r.json().n, 2)
})

test('route cache on a Redis Cluster', async t => {
  const cluster = await startCluster(t)
  let calls = 0
  const app = await buildApp(t, cluster.client(), {}, app => {
    app.get('/c/:id', { config: { cache: { tags: ['c'] } } }, async () => ({ n: ++calls }))
  })
  await app.inject('/c/1')
  t.equal((await app.inject('/c/1')).headers['x-cache'], 'HIT')
  await app.cache.invalidateTags(['c'])
  t.equal((await app.inject('/c/1')).json().n, 2)
})

test('route cache: the route\'s own onRequest hooks (authentication) still run for hits', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/guarded', {
      onRequest: async (req, reply) => { if (req.query && (req.query as { ok?: string }).ok !== '1') await reply.code(401).send({ error: 'no' }) },
      config: { cache: { key: () => 'guarded' } }
    }, async () => ({ secret: 42 }))
  })
  t.equal((await app.inject('/guarded?ok=1')).statusCode, 200)
  t.equal((await app.inject('/guarded?ok=1')).headers['x-cache'], 'HIT')
  t.equal((await app.inject('/guarded?ok=0')).statusCode, 401, 'a cached response is not served past a failing route hook')
})

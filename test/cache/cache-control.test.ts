// The route cache speaking HTTP to downstream caches (issue 18 item 1): `config.cache.cacheControl`
// sends a `Cache-Control` consistent with the route's ttl beside `Age` (max-age is the lifetime,
// Age the time spent: a downstream cache subtracts one from the other), the handler's own header
// always wins and ours is never stored, and a request's `Cache-Control: no-cache` reaches the
// handler only where the route opts in with `honorNoCache` (one refill per key at a time).
import { test } from 'tap'
import { createHash } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { startRedis, eventually } from '../helpers/redis.js'
import { deferred } from '../helpers/deferred.js'
import { buildApp } from './fixtures/app.js'

test('cacheControl: true sends public, max-age=<ttl> on MISS, HIT, 304 and HEAD, with Age beside it', async t => {
  const redis = await startRedis(t)
  let calls = 0
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/cc', { config: { cache: { ttl: '1m', cacheControl: true } } }, async () => ({ n: ++calls }))
    app.get('/silent', { config: { cache: { ttl: '1m' } } }, async () => ({ n: ++calls }))
  })
  const miss = await app.inject('/cc')
  t.equal(miss.headers['x-cache'], 'MISS')
  t.equal(miss.headers['cache-control'], 'public, max-age=60')
  t.equal(miss.headers.age, '0')
  const hit = await app.inject('/cc')
  t.equal(hit.headers['x-cache'], 'HIT')
  t.equal(hit.headers['cache-control'], 'public, max-age=60', 'the lifetime, not the remainder: Age carries the time spent')
  t.match(hit.headers.age, /^\d+$/)
  const notModified = await app.inject({ url: '/cc', headers: { 'if-none-match': String(miss.headers.etag) } })
  t.equal(notModified.statusCode, 304)
  t.equal(notModified.headers['cache-control'], 'public, max-age=60', 'a 304 renews downstream freshness')
  t.match(notModified.headers.age, /^\d+$/)
  const head = await app.inject({ method: 'HEAD', url: '/cc' })
  t.equal(head.headers['x-cache'], 'HIT')
  t.equal(head.headers['cache-control'], 'public, max-age=60')
  t.equal(calls, 1)

  const silentMiss = await app.inject('/silent')
  const silentHit = await app.inject('/silent')
  t.equal(silentMiss.headers['cache-control'], undefined, 'without cacheControl nothing is sent (the default)')
  t.equal(silentHit.headers['cache-control'], undefined)
})

test('cacheControl: our header is never stored, and a handler\'s own Cache-Control wins on MISS and HIT', async t => {
  const redis = await startRedis(t)
  // No L1, so cache.get below reads the entry as Redis holds it (the compact string form).
  const app = await buildApp(t, redis.client(), { l1: false }, app => {
    app.get('/ours', { config: { cache: { ttl: 60_000, cacheControl: true } } }, async () => ({ ours: true }))
    app.get('/theirs', { config: { cache: { ttl: 60_000, cacheControl: true } } }, async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=5, must-revalidate')
      return { theirs: true }
    })
  })
  await app.inject('/ours')
  const stored = await app.cache.get<string>(routeKey('/ours'))
  t.type(stored, 'string')
  t.notMatch(stored, /cache-control/i, 'the stored headers hold no Cache-Control of ours (a hit sends the current one)')

  const theirsMiss = await app.inject('/theirs')
  const theirsHit = await app.inject('/theirs')
  t.equal(theirsMiss.headers['cache-control'], 'public, max-age=5, must-revalidate')
  t.equal(theirsHit.headers['x-cache'], 'HIT')
  t.equal(theirsHit.headers['cache-control'], 'public, max-age=5, must-revalidate', 'the handler\'s header is replayed, not replaced')
  const theirs304 = await app.inject({ url: '/theirs', headers: { 'if-none-match': String(theirsMiss.headers.etag) } })
  t.equal(theirs304.headers['cache-control'], 'public, max-age=5, must-revalidate')
})

test('cacheControl: responses the cache does not store or serve carry none', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/missing', { config: { cache: { cacheControl: true } } }, async (_req, reply) => await reply.code(404).send({ error: 'nope' }))
    app.get('/cookie', { config: { cache: { cacheControl: true } } }, async (_req, reply) => { reply.header('set-cookie', 'a=1'); return { ok: 1 } })
    app.get('/public', { config: { cache: { cacheControl: true } } }, async () => ({ ok: 1 }))
  })
  t.equal((await app.inject('/missing')).headers['cache-control'], undefined, 'a 404 is not advertised as cacheable')
  t.equal((await app.inject('/cookie')).headers['cache-control'], undefined, 'a Set-Cookie response is not either')
  const bypass = await app.inject({ url: '/public', headers: { authorization: 'Bearer x' } })
  t.equal(bypass.headers['x-cache'], 'BYPASS')
  t.equal(bypass.headers['cache-control'], undefined, 'a request with credentials the route does not vary on bypasses the cache, header included')
})

test('cacheControl: private for credential-keyed routes; maxAge, sMaxAge and stale-while-revalidate', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/mine', { config: { cache: { ttl: 60_000, vary: ['authorization'], cacheControl: true } } }, async req => ({ who: req.headers.authorization }))
    app.get('/caps', { config: { cache: { ttl: '1m', cacheControl: { maxAge: '10s', sMaxAge: '30s' } } } }, async () => ({ ok: 1 }))
    app.get('/forced-private', { config: { cache: { ttl: 60_000, cacheControl: { private: true, maxAge: 0 } } } }, async () => ({ ok: 1 }))
    app.get('/swr', { config: { cache: { ttl: 60_000, staleWhileRevalidate: '30s', cacheControl: true } } }, async () => ({ ok: 1 }))
  })
  for (let i = 0; i < 2; i++) {
    const mine = await app.inject({ url: '/mine', headers: { authorization: 'Bearer a' } })
    t.equal(mine.headers['cache-control'], 'private, max-age=60', `one user's response is private (${String(mine.headers['x-cache'])})`)
  }
  t.equal((await app.inject('/caps')).headers['cache-control'], 'public, max-age=10, s-maxage=30')
  t.equal((await app.inject('/forced-private')).headers['cache-control'], 'private, max-age=0', 'maxAge 0: browsers revalidate every time (304 from the cache)')
  t.equal((await app.inject('/swr')).headers['cache-control'], 'public, max-age=60, stale-while-revalidate=30', 'our stale window is told downstream')
})

test('cacheControl: a STALE answer carries an Age past its max-age, so downstream caches see it stale', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), { earlyRefresh: 0, l1: false }, app => {
    app.get('/swr', { config: { cache: { ttl: 1000, staleWhileRevalidate: 60_000, cacheControl: true } } }, async () => ({ ok: 1 }))
  })
  await app.inject('/swr')
  let stale: LightMyRequestResponse | undefined
  await eventually(async () => {
    stale = await app.inject('/swr')
    return stale.headers['x-cache'] === 'STALE'
  }, { what: 'a STALE answer' })
  if (stale === undefined) throw new Error('unreachable: eventually returned without a response')
  t.equal(stale.headers['cache-control'], 'public, max-age=1, stale-while-revalidate=60')
  t.ok(Number(stale.headers.age) >= 1, `Age ${String(stale.headers.age)} >= max-age 1`)
})

test('cacheControl: invalid settings fail at route registration, naming the option', async t => {
  const redis = await startRedis(t)
  await buildApp(t, redis.client(), {}, app => {
    const route = (url: string, cache: unknown): FastifyInstance => app.get(url, { config: { cache: cache as never } }, async () => ({}))
    t.throws(() => route('/a', { ttl: '1m', cacheControl: { maxAge: '2m' } }), { code: 'FRP_INVALID_OPTION', message: /route \/a config\.cache\.cacheControl\.maxAge.*must not exceed the route's ttl/ })
    t.throws(() => route('/b', { ttl: 1000, cacheControl: { sMaxAge: 5000 } }), { code: 'FRP_INVALID_OPTION', message: /config\.cache\.cacheControl\.sMaxAge/ })
    t.throws(() => route('/c', { vary: ['cookie'], cacheControl: { sMaxAge: '1s' } }), { code: 'FRP_INVALID_OPTION', message: /cacheControl\.sMaxAge.*has no meaning on a private response/ })
    t.throws(() => route('/d', { cacheControl: { maxage: 5 } }), { code: 'FRP_INVALID_OPTION', message: /config\.cache\.cacheControl\.maxage.*unknown option/ })
    t.throws(() => route('/e', { cacheControl: 'public' }), { code: 'FRP_INVALID_OPTION', message: /config\.cache\.cacheControl.*must be a boolean or an object/ })
    t.throws(() => route('/f', { cacheControl: { maxAge: 'soon' } }), { code: 'FRP_INVALID_OPTION', message: /config\.cache\.cacheControl\.maxAge/ })
    t.throws(() => route('/g', { honorNoCache: 'yes' }), { code: 'FRP_INVALID_OPTION', message: /config\.cache\.honorNoCache/ })
    t.throws(() => route('/h', { tll: 5 }), { code: 'FRP_INVALID_OPTION', message: /route \/h config\.cache\.tll.*unknown option/ })
  })
})

test('a request\'s Cache-Control: no-cache cannot force an origin load by default', async t => {
  const redis = await startRedis(t)
  let calls = 0
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/guarded', { config: { cache: { ttl: 60_000 } } }, async () => ({ n: ++calls }))
  })
  await app.inject('/guarded')
  for (const headers of [{ 'cache-control': 'no-cache' }, { 'cache-control': 'max-age=0' }, { pragma: 'no-cache' }]) {
    const r = await app.inject({ url: '/guarded', headers })
    t.equal(r.headers['x-cache'], 'HIT', `${JSON.stringify(headers)} is served from the cache`)
  }
  t.equal(calls, 1, 'the handler ran once')
})

test('honorNoCache: no-cache refills the entry from the handler, one refill per key at a time', async t => {
  const redis = await startRedis(t)
  let calls = 0
  let gate = deferred()
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/fresh', { config: { cache: { ttl: 60_000, honorNoCache: true } } }, async () => {
      const n = ++calls
      if (n > 1) await gate.promise
      return { n }
    })
  })
  gate.resolve()
  t.equal((await app.inject('/fresh')).json().n, 1)
  const refilled = await app.inject({ url: '/fresh', headers: { 'cache-control': 'no-cache' } })
  t.equal(refilled.headers['x-cache'], 'MISS')
  t.equal(refilled.json().n, 2, 'the handler answered')
  const after = await app.inject('/fresh')
  t.equal(after.headers['x-cache'], 'HIT')
  t.equal(after.json().n, 2, 'the refill replaced the stored entry')
  const pragma = await app.inject({ url: '/fresh', headers: { pragma: 'no-cache' } })
  t.equal(pragma.json().n, 3, 'Pragma: no-cache (no Cache-Control) counts too')
  const notNoCache = await app.inject({ url: '/fresh', headers: { 'cache-control': 'max-age=60', pragma: 'no-cache' } })
  t.equal(notNoCache.headers['x-cache'], 'HIT', 'Pragma is ignored when Cache-Control is present (RFC 9111 §5.4)')

  // Five no-cache requests at once: one holds the lease and runs the handler (held open here);
  // the four others are answered from the stored entry meanwhile.
  gate = deferred()
  const settled: LightMyRequestResponse[] = []
  const all = Array.from({ length: 5 }, async () => {
    const r = await app.inject({ url: '/fresh', headers: { 'cache-control': 'no-cache' } })
    settled.push(r)
    return r
  })
  await eventually(() => settled.length === 4 && calls === 4, { what: 'four answered while one refill runs' })
  t.ok(settled.every(r => r.headers['x-cache'] === 'HIT' && r.json().n === 3), 'the others got the stored entry')
  gate.resolve()
  const responses = await Promise.all(all)
  t.equal(calls, 4, 'five no-cache requests ran the handler once')
  t.equal(responses.filter(r => r.headers['x-cache'] === 'MISS' && r.json().n === 4).length, 1)
})

/** The entry key of `url` on the test app (inject sends Host: localhost:80, part of the key). */
function routeKey (url: string): string {
  return `route:${url}\nhost=` + createHash('sha256').update('localhost:80').digest('base64url').slice(0, 22)
}

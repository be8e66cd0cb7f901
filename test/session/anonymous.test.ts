// Visitors who never set anything cost no Redis write; unchanged requests cost no rewrite.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { buildApp, sidOf, cookie, resetStats, commandCounts } from '../helpers/session.js'

test('no Redis command at all for requests without a cookie that set nothing', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client())
  await resetStats(redis)
  for (const url of ['/plain', '/get/a', '/whoami']) {
    const res = await app.inject({ url })
    t.equal(res.statusCode, 200, url)
    t.equal(sidOf(res), undefined, `${url}: no cookie for an anonymous visitor`)
  }
  t.strictSame(await commandCounts(redis), {}, 'Redis saw nothing')
})

test('a request that changes nothing writes nothing; a change writes only the changed field', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), { touchInterval: 60_000 })
  const created = await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })
  const sid = sidOf(created) as string
  await app.inject({ method: 'POST', url: '/set', payload: { name: 'b', value: 2 }, headers: cookie(sid) })
  await resetStats(redis)
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ url: '/get/a', headers: cookie(sid) })
    t.strictSame(res.json(), { value: 1 })
    t.equal(sidOf(res), undefined, 'no Set-Cookie on an unchanged session')
  }
  let counts = await commandCounts(redis)
  t.strictSame(counts, { hgetall: 5 }, 'one HGETALL per read, no write, no TTL refresh within the touch interval')

  await resetStats(redis)
  const res = await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 10 }, headers: cookie(sid) })
  t.equal(res.statusCode, 200)
  counts = await commandCounts(redis)
  t.equal(counts.hgetall, 1, 'one load')
  t.equal((counts.evalsha ?? 0) + (counts.eval ?? 0), 1, 'one save')
  t.equal(counts.hset, 1, 'the changed field, in one HSET')
  t.notOk(counts.pexpire, 'no TTL refresh within the touch interval')
  t.notOk(counts.del ?? counts.set, 'never a full rewrite')
  t.equal((await app.inject({ url: '/get/b', headers: cookie(sid) })).json().value, 2, 'the other field untouched')

  await resetStats(redis)
  await app.inject({ method: 'POST', url: '/touch', headers: cookie(sid) })
  counts = await commandCounts(redis)
  t.equal(counts.pexpire, 1, 'touch() refreshes the idle timeout at once')
})

test('a read past the touch interval refreshes the idle timeout', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), { ttl: 60_000, touchInterval: 1 })
  const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })) as string
  const key = app.sessions.keyOf(sid.slice(0, sid.lastIndexOf('.')))
  const seen = async (): Promise<number> => Number(await redis.admin('HGET', key, '#s'))
  const first = await seen()
  await redis.admin('PEXPIRE', key, 5000) // as if most of the idle time had passed
  // touchInterval is 1 ms: retried only in case a read came within the same millisecond.
  await eventually(async () => {
    await app.inject({ url: '/get/a', headers: cookie(sid) })
    return await seen() > first
  }, { what: 'lastSeenAt to move' })
  t.ok(await seen() > first, 'lastSeenAt moved forward')
  // A full idle ttl is 60 s (it was 5 s); the lower bound leaves a slow machine half a minute.
  t.ok(Number(await redis.admin('PTTL', key)) > 30_000, 'expiry pushed back to a full idle ttl')
})

test('routes with config.session false never load the session', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), {}, app => {
    app.get('/off-touch', { config: { session: false } }, async req => ({ id: req.session.id }))
  })
  const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })) as string
  await resetStats(redis)
  const res = await app.inject({ url: '/off', headers: cookie(sid) })
  t.equal(res.statusCode, 200)
  t.equal(sidOf(res), undefined, 'cookie untouched')
  t.strictSame(await commandCounts(redis), {})
  const bad = await app.inject({ url: '/off-touch', headers: cookie(sid) })
  t.equal(bad.statusCode, 500)
  t.equal(bad.json().code, 'FRP_SESSION_DISABLED')
  const noCookie = await app.inject({ url: '/off-touch' })
  t.equal(noCookie.json().code, 'FRP_SESSION_DISABLED')
})

test('bad input is a 400 and writes nothing', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client())
  await resetStats(redis)
  const res = await app.inject({ method: 'POST', url: '/set', payload: { value: 1 } })
  t.equal(res.statusCode, 400)
  t.equal(sidOf(res), undefined)
  t.strictSame(await commandCounts(redis), {})
})

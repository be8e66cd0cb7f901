// Idle and absolute timeouts, both enforced by Redis (PEXPIRE and TIME in the scripts).
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { buildApp, sidOf, cookie, idOf } from '../helpers/session.js'
import { redisMs } from '../helpers/redis-time.js'

test('an unused session expires after the idle timeout', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), { ttl: 300, touchInterval: 10 })
  const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })) as string
  const key = app.sessions.keyOf(idOf(sid))
  const pttl = Number(await redis.admin('PTTL', key))
  t.ok(pttl > 0 && pttl <= 300, 'Redis holds the idle expiry')
  await eventually(async () => Number(await redis.admin('EXISTS', key)) === 0, { what: 'idle expiry' })
  const res = await app.inject({ url: '/get/a', headers: cookie(sid) })
  t.strictSame(res.json(), { value: null })
  t.equal(sidOf(res), '', 'expired cookie cleared')
})

test('activity slides the idle timeout', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), { ttl: 60_000, touchInterval: 1 })
  const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })) as string
  const key = app.sessions.keyOf(idOf(sid))
  await redis.admin('PEXPIRE', key, 5000) // as if most of the idle time had passed
  // touchInterval is 1 ms: a read a millisecond later is due to touch; retried only in case the
  // read came within that millisecond.
  const pttl = await eventually(async () => {
    await app.inject({ url: '/get/a', headers: cookie(sid) })
    const left = Number(await redis.admin('PTTL', key))
    return left > 5000 ? left : 0
  }, { what: 'a read to push the expiry back' })
  // A full idle ttl is 60 s; the lower bound leaves a slow machine half a minute.
  t.ok(pttl > 30_000 && pttl <= 60_000, `a read pushed the expiry back to a full idle ttl (${pttl} ms left, was 5000)`)
})

test('the absolute timeout ends a session however active it is', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), { ttl: 60_000, absoluteTtl: 400, touchInterval: 0 })
  const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })) as string
  const key = app.sessions.keyOf(idOf(sid))
  t.ok(Number(await redis.admin('PTTL', key)) <= 400, 'the idle expiry never passes the absolute deadline')
  const deadline = Number(await redis.admin('HGET', key, '#x'))
  await eventually(async () => {
    const res = await app.inject({ method: 'POST', url: '/set', payload: { name: 'b', value: 2 }, headers: cookie(sid) })
    return res.statusCode === 409 || (await app.inject({ url: '/get/a', headers: cookie(sid) })).json().value === null
  }, { what: 'the absolute timeout' })
  t.ok(await redisMs(redis.admin) >= deadline, 'ended at or after its absolute deadline (Redis time)')
  t.equal(Number(await redis.admin('EXISTS', key)), 0)
})

test('a session whose hash outlived its absolute deadline is refused, and deleted by the next write', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), { touchInterval: 0 })
  const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })) as string
  const key = app.sessions.keyOf(idOf(sid))
  await redis.admin('HSET', key, '#x', await redisMs(redis.admin) - 1000) // deadline in the past, TTL still long
  const res = await app.inject({ url: '/get/a', headers: cookie(sid) })
  t.strictSame(res.json(), { value: null }, 'refused on read')
  t.equal(sidOf(res), '')
  // A state no step of ours produces (every TTL is capped at '#x'): the hot write (update-1.lua)
  // relies on that cap; the refreshing write still checks the deadline with Redis TIME.
  await t.rejects(app.sessions.update(idOf(sid), ['a', 'j2'], [], { refresh: true }), { code: 'FRP_SESSION_DESTROYED' }, 'the refreshing write script checks the deadline with Redis TIME')
  t.equal(Number(await redis.admin('EXISTS', key)), 0, 'and deletes the session')
})

test('non-rolling sessions expire ttl after creation whatever the activity', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), { ttl: 300, rolling: false })
  const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })) as string
  const key = app.sessions.keyOf(idOf(sid))
  await eventually(async () => {
    await app.inject({ method: 'POST', url: '/set', payload: { name: 'b', value: Date.now() }, headers: cookie(sid) })
    return Number(await redis.admin('EXISTS', key)) === 0
  }, { what: 'fixed expiry' })
  t.strictSame((await app.inject({ url: '/get/a', headers: cookie(sid) })).json(), { value: null })
})

test('persistent cookies carry Max-Age up to the absolute deadline', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), { absoluteTtl: 3_600_000, cookie: { persistent: true, name: 'keep', secure: 'auto', sameSite: 'strict' } })
  const res = await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })
  const c = res.cookies.find(x => x.name === 'keep') as { maxAge?: number, secure?: boolean, sameSite?: string, httpOnly?: boolean }
  t.ok(c.maxAge !== undefined && c.maxAge > 3500 && c.maxAge <= 3600)
  t.notOk(c.secure, "secure: 'auto' on plain HTTP")
  t.equal(c.sameSite, 'Strict')
  t.equal(c.httpOnly, true)
})

// The plugin: fastify.activity, `track` marking each request's user after the response (once a
// day per user and process), a track() that throws or a Redis that is down never failing the
// request, option errors at registration, and the startup policy.
import { test } from 'tap'
import { redisActivity } from '../../plugins/activity.js'
import { Activity } from '../../lib/activity/activity.js'
import { startRedis, eventually } from '../helpers/redis.js'
import { pluginApp } from '../helpers/app.js'
import { commandCounts } from '../helpers/command-stats.js'
import { downRedis, loggedApp, startupWarnings } from '../helpers/startup.js'

const userOf = (request: { headers: Record<string, unknown> }): number | null => {
  const h = request.headers['x-user']
  return typeof h === 'string' ? Number(h) : null
}

test('track marks the user of each request once the response is sent, once a day per process', async t => {
  const r = await startRedis(t)
  const app = await pluginApp(t, r.client(), redisActivity, { prefix: 'plug', track: userOf }, {
    routes: app => { app.get('/hello', async () => ({ hi: true })) }
  })
  t.ok(app.activity instanceof Activity)
  await r.admin('CONFIG', 'RESETSTAT')
  t.equal((await app.inject({ url: '/hello', headers: { 'x-user': '7' } })).statusCode, 200)
  await eventually(async () => await app.activity.isActive(7), { what: 'user 7 marked' })
  for (let i = 0; i < 5; i++) await app.inject({ url: '/hello', headers: { 'x-user': '7' } })
  await app.inject({ url: '/hello' })
  await app.inject({ url: '/hello', headers: { 'x-user': '8' } })
  await eventually(async () => await app.activity.isActive(8), { what: 'user 8 marked' })
  t.equal(await app.activity.count('day'), 2, 'the anonymous request marked nobody')
  t.equal((await commandCounts(r.admin)).setbit, 2, 'one SETBIT per user: later requests of a marked user cost Redis nothing')
})

test('a track() that throws, or a refused id, is logged and the request still answers', async t => {
  const r = await startRedis(t)
  const logged = loggedApp(t)
  await logged.app.register((await import('@fastify/redis')).default, { client: r.client(), closeClient: false })
  await logged.app.register(redisActivity, {
    maxUserId: 100,
    track: request => { if (request.headers['x-boom'] !== undefined) throw new Error('boom'); return userOf(request) }
  })
  logged.app.get('/x', async () => 'ok')
  t.equal((await logged.app.inject({ url: '/x', headers: { 'x-boom': '1' } })).statusCode, 200)
  t.equal((await logged.app.inject({ url: '/x', headers: { 'x-user': '1000' } })).statusCode, 200)
  const warnings = await eventually(() => {
    const w = logged.warnings().filter(l => l.msg.startsWith('activity:'))
    return w.length === 2 ? w : null
  }, { what: 'two warnings' })
  t.match(warnings?.map(w => w.msg), ['activity: track() threw; request not marked', 'activity: mark failed'])
})

test('option errors fail registration, naming the option', async t => {
  const r = await startRedis(t)
  const { app } = loggedApp(t)
  app.register(redisActivity, { client: r.client(), track: 'session' as never })
  await t.rejects(async () => { await app.ready() }, { code: 'FRP_INVALID_OPTION', message: /"redisActivity\.track"/ })
  const { app: app2 } = loggedApp(t)
  app2.register(redisActivity, { client: r.client(), retention: '7d' })
  await t.rejects(async () => { await app2.ready() }, { code: 'FRP_INVALID_OPTION', message: /"activity\.retention"/ })
  const { app: app3 } = loggedApp(t)
  app3.register(redisActivity, {})
  await t.rejects(async () => { await app3.ready() }, { code: 'FRP_INVALID_OPTION', message: /"redisActivity\.client"/ })
})

test('Redis down at startup: the app starts, tracked requests answer, queries are 503; all works once Redis is up', async t => {
  const down = await downRedis(t)
  const logged = loggedApp(t)
  const { app } = logged
  await app.register(redisActivity, { client: down.client, track: userOf })
  app.get('/x', async () => 'ok')
  await app.ready()
  t.equal(startupWarnings(logged, 'activity').length, 1, 'one startup warning')
  t.equal((await app.inject({ url: '/x', headers: { 'x-user': '3' } })).statusCode, 200, 'a tracked request is not failed by Redis')
  await t.rejects(app.activity.count('day'), { code: /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/, statusCode: 503 })
  await down.up()
  await eventually(async () => {
    await app.inject({ url: '/x', headers: { 'x-user': '3' } })
    return await app.activity.isActive(3).catch(() => false)
  }, { ms: 10_000, every: 100, what: 'user 3 marked once Redis is up' })
  t.pass('marked after the outage')
})

// Issue 16 item 4: Redis unreachable at startup. The lock plugin used to refuse to register
// (FRP_REDIS_UNAVAILABLE from the server check); now it registers with only `client` (no
// @fastify/redis), warns once, answers 503 coded, and locks once Redis is up.
import { test } from 'tap'
import { redisLock } from '../../plugins/lock.js'
import { eventually } from '../helpers/redis.js'
import { downRedis, loggedApp, startupWarnings } from '../helpers/startup.js'

test('Redis down at startup: the app starts, locked routes answer 503 coded, then lock once Redis is up', async t => {
  const down = await downRedis(t)
  const logged = loggedApp(t)
  const { app } = logged
  await app.register(redisLock, { client: down.client })
  app.put('/doc', { config: { lock: { key: () => 'doc', wait: false } } }, async () => ({ saved: true }))
  await app.ready()

  const warned = startupWarnings(logged, 'lock')
  t.equal(warned.length, 1, 'one startup warning')
  t.equal(warned[0].err, undefined, 'no error object (no stack trace) in the warning')

  const res = await app.inject({ method: 'PUT', url: '/doc' })
  t.equal(res.statusCode, 503)
  t.match(res.json().code, /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/)
  await t.rejects(app.locker.acquire('direct'), { code: /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/, statusCode: 503 })

  await down.up()
  const ok = await eventually(async () => {
    const r = await app.inject({ method: 'PUT', url: '/doc' })
    return r.statusCode === 200 ? r : null
  }, { ms: 10_000, every: 100, what: 'the locked route to work after Redis came up' })
  t.strictSame(ok?.json(), { saved: true })
})

test('quorum mode: several clients, all down at startup, one warning; locks once they are up', async t => {
  const downs = [await downRedis(t), await downRedis(t), await downRedis(t)]
  const logged = loggedApp(t)
  const { app } = logged
  await app.register(redisLock, { client: downs.map(d => d.client) })
  await app.ready()
  t.equal(startupWarnings(logged, 'lock').length, 1, 'one startup warning for the three masters')
  await t.rejects(app.locker.acquire('q'), { code: /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/ })
  for (const d of downs) await d.up()
  const lease = await eventually(async () => await app.locker.acquire('q').catch(() => null), { ms: 10_000, every: 100, what: 'a quorum lock after the masters came up' })
  t.equal(lease?.held, true)
  await lease?.release()
})

test('a missing client names the option; an empty client array too', async t => {
  const { app } = loggedApp(t)
  app.register(redisLock, {})
  await t.rejects(async () => { await app.ready() }, { code: 'FRP_INVALID_OPTION', message: /^Invalid option "redisLock\.client": .*@fastify\/redis/ })
  const { app: app2 } = loggedApp(t)
  app2.register(redisLock, { client: [] })
  await t.rejects(async () => { await app2.ready() }, { code: 'FRP_INVALID_OPTION', message: /^Invalid option "redisLock\.client": .*non-empty array/ })
})

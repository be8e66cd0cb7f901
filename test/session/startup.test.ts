// Issue 16 item 4: Redis unreachable at startup. The plugin registers with only `client` (no
// @fastify/redis), warns once, answers 503 on session routes, and serves once Redis is up.
import { test } from 'tap'
import { redisSession } from '../../plugins/session.js'
import { eventually } from '../helpers/redis.js'
import { SECRET } from '../helpers/session.js'
import { downRedis, loggedApp, startupWarnings } from '../helpers/startup.js'

test('Redis down at startup: the app starts, session routes answer 503, then work once Redis is up', async t => {
  const down = await downRedis(t)
  const logged = loggedApp(t)
  const { app } = logged
  await app.register(redisSession, { secret: SECRET, client: down.client, cookie: { secure: false } })
  app.post('/visit', async req => { req.session.set('n', 1); return { ok: true } })
  app.get('/plain', async () => ({ plain: true }))
  await app.ready()

  const warned = startupWarnings(logged, 'session')
  t.equal(warned.length, 1, 'one startup warning')
  t.equal(warned[0].err, undefined, 'no error object (no stack trace) in the warning')

  const res = await app.inject({ method: 'POST', url: '/visit' })
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'FRP_SESSION_UNAVAILABLE')
  t.equal((await app.inject('/plain')).statusCode, 200, 'routes that never touch the session are served')

  await down.up()
  const ok = await eventually(async () => {
    const r = await app.inject({ method: 'POST', url: '/visit' })
    return r.statusCode === 200 ? r : null
  }, { ms: 10_000, every: 100, what: 'the session route to work after Redis came up' })
  t.match(ok?.headers['set-cookie'], /^sid=/, 'a session was created and its cookie set')
  t.equal((await down.client.keys('*session*')).length, 1, 'stored in Redis')
})

test('a missing client names the option', async t => {
  const { app } = loggedApp(t)
  app.register(redisSession, { secret: SECRET })
  await t.rejects(async () => { await app.ready() }, { code: 'FRP_INVALID_OPTION', message: /^Invalid option "redisSession\.client": .*@fastify\/redis/ })
})

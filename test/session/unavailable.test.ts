// Redis unavailable: routes that touch the session answer 503 FRP_SESSION_UNAVAILABLE within the
// command timeout; routes that do not touch it are served.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { redisSession } from '../../plugins/session.js'
import { buildApp, sidOf, cookie, idOf, SECRET } from '../helpers/session.js'

test('a dead Redis gives 503 on session routes and never hangs', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), { commandTimeout: 200 })
  const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })) as string
  await redis.kill()

  const read = await app.inject({ url: '/get/a', headers: cookie(sid) })
  t.equal(read.statusCode, 503)
  t.equal(read.json().code, 'FRP_SESSION_UNAVAILABLE')
  t.equal(sidOf(read), undefined, 'the cookie is kept: the session may well still exist')

  const plain = await app.inject({ url: '/plain', headers: cookie(sid) })
  t.equal(plain.statusCode, 200, 'a route that never touches the session is served')

  const write = await app.inject({ method: 'POST', url: '/set', payload: { name: 'b', value: 2 } })
  t.equal(write.statusCode, 503, 'a new session cannot be saved')
  t.equal(write.json().code, 'FRP_SESSION_UNAVAILABLE')
  t.equal(sidOf(write), undefined, 'no cookie for a session that was not stored')

  const login = await app.inject({ method: 'POST', url: '/login', payload: { userId: 'x' } })
  t.equal(login.statusCode, 503)

  await redis.restart()
  await eventually(async () => (await app.inject({ method: 'POST', url: '/set', payload: { name: 'b', value: 2 } })).statusCode === 200,
    { what: 'sessions to work again after the restart' })
  t.pass('recovered after Redis came back')
})

test('a paused Redis is bounded by commandTimeout', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client({ commandTimeout: undefined }), { commandTimeout: 150 })
  const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })) as string
  await redis.pause(3000)
  const res = await app.inject({ url: '/get/a', headers: cookie(sid) })
  t.equal(res.statusCode, 503, 'answered before the pause ended')
  t.equal(res.json().code, 'FRP_SESSION_UNAVAILABLE')
})

test('with a client commandTimeout as tight as ours, no timer of ours: a paused Redis still answers 503', async t => {
  const redis = await startRedis(t)
  // The store adds no timer of its own here (the client's 150 ms bound is tighter than 1000 ms).
  const app = await buildApp(t, redis.client({ commandTimeout: 150 }), { commandTimeout: 1000 })
  const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })) as string
  await redis.pause(1500)
  const read = await app.inject({ url: '/get/a', headers: cookie(sid) })
  t.equal(read.statusCode, 503, 'a read answered before the pause ended')
  t.equal(read.json().code, 'FRP_SESSION_UNAVAILABLE')
  await t.rejects(app.sessions.update(idOf(sid), ['b', 'j2'], [], { refresh: false }), { code: 'FRP_SESSION_UNAVAILABLE' }, 'so did the hot write')
})

test('the app starts while the session Redis is down', async t => {
  const other = await startRedis(t)
  const redis = await startRedis(t)
  const client = redis.client()
  await client.ping()
  await redis.kill()
  const warnings: string[] = []
  const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => { warnings.push(line) } } } })
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client: other.client(), closeClient: false })
  await app.register(redisSession, { secret: SECRET, client, commandTimeout: 100 })
  app.get('/plain', async () => ({ ok: true }))
  await app.ready()
  t.equal((await app.inject({ url: '/plain' })).statusCode, 200)
  t.match(warnings.join(''), /session: Redis unavailable at startup/)
})

// Options are validated once at registration; the plugin works with @fastify/redis namespaces,
// an explicit client, and an @fastify/cookie the application registered itself.
import { test } from 'tap'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import fastifyCookie from '@fastify/cookie'
import type { Redis } from 'ioredis'
import { startRedis } from '../helpers/redis.js'
import { redisSession, type RedisSessionOptions } from '../../plugins/session.js'
import { SessionStore } from '../../lib/session/store.js'
import { SECRET, sidOf, cookie } from '../helpers/session.js'

test('invalid options fail at registration and name the option', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const bad: Array<[string, Record<string, unknown>]> = [
    ['redisSession.secret', {}],
    ['redisSession.secret', { secret: 'short' }],
    ['redisSession.secret', { secret: [] }],
    ['redisSession.colour', { secret: SECRET, colour: 'red' }],
    ['session.ttl', { secret: SECRET, ttl: -1 }],
    ['session.touchInterval', { secret: SECRET, ttl: 1000, touchInterval: 1000 }],
    ['redisSession.cookie.sameSite', { secret: SECRET, cookie: { sameSite: 'sometimes' } }],
    ['redisSession.cookie.maxAge', { secret: SECRET, cookie: { maxAge: 1 } }],
    ['redisSession.hook', { secret: SECRET, hook: 'onSend' }],
    ['redisSession.metadata', { secret: SECRET, metadata: 'yes' }],
    ['redisSession.namespace', { secret: SECRET, namespace: 'missing' }],
    ['session.codec', { secret: SECRET, codec: 'json' }]
  ]
  for (const [name, opts] of bad) {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(fastifyRedis, { client: client as Redis, closeClient: false })
    app.register(redisSession, opts as unknown as RedisSessionOptions)
    await t.rejects(async () => { await app.ready() }, { code: 'FRP_INVALID_OPTION', message: new RegExp(name.replace(/\./g, '\\.')) }, name)
  }
  t.throws(() => new SessionStore(null as never), { code: 'FRP_INVALID_OPTION' })
})

// Regression (issue 18): `secret: process.env.SESSION_SECRET` did not compile (TS2769). It does
// now; an unset variable fails at registration saying so, and an unset older secret is skipped.
test('a secret from an unset environment variable fails at registration; an unset older secret is skipped', async t => {
  const client = (await startRedis(t)).client()
  const attempt = async (secret: RedisSessionOptions['secret']): Promise<unknown> => {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(fastifyRedis, { client, closeClient: false })
    app.register(redisSession, { secret })
    app.post('/', async req => { req.session.set('a', 1); return { ok: true } })
    await app.ready()
    return (await app.inject({ method: 'POST', url: '/' })).statusCode
  }
  await t.rejects(attempt(process.env.FRP_TEST_UNSET_SECRET), { code: 'FRP_INVALID_OPTION', message: /"redisSession\.secret": is required \(got undefined: is the environment variable set\?\)/ })
  await t.rejects(attempt(''), { code: 'FRP_INVALID_OPTION', message: /"redisSession\.secret": is required \(got an empty string/ })
  await t.rejects(attempt([undefined, SECRET]), { code: 'FRP_INVALID_OPTION', message: /"redisSession\.secret\[0\]": is required: the first secret signs/ })
  t.equal(await attempt([SECRET, process.env.FRP_TEST_UNSET_SECRET]), 200, 'an unset older secret verifies nothing and fails nothing')
})

test('works with a namespace, an explicit client and an app-registered @fastify/cookie', async t => {
  const redis = await startRedis(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client: redis.client(), closeClient: false })
  await app.register(fastifyRedis, { client: redis.client(), closeClient: false, namespace: 'sessions' })
  await app.register(fastifyCookie, { secret: 'the-app-own-cookie-secret-is-different' })
  await app.register(redisSession, { secret: SECRET, namespace: 'sessions', prefix: 'ns', metadata: req => ({ path: req.url }), codec: { compressThreshold: false } })
  app.post('/hi', async req => {
    req.session.set('n', 1n)
    return { signed: req.unsignCookie(req.signCookie('x')).valid }
  })
  // typeof as well as the digits: a BigInt decoded as a Number would print the same '1'.
  app.get('/n', async req => { const n = req.session.get('n'); return { type: typeof n, n: String(n) } })
  await app.ready()
  const res = await app.inject({ method: 'POST', url: '/hi' })
  t.strictSame(res.json(), { signed: true }, 'the app keeps its own cookie signer')
  const sid = sidOf(res) as string
  t.strictSame((await app.inject({ url: '/n', headers: cookie(sid) })).json(), { type: 'bigint', n: '1' }, 'BigInt round-trips through the codec')
  const keys = await redis.client().keys('ns:session:*')
  t.equal(keys.length, 1, 'stored through the namespaced client under the prefix')

  const explicit = Fastify()
  t.teardown(() => explicit.close())
  await explicit.register(fastifyRedis, { client: redis.client(), closeClient: false })
  await explicit.register(redisSession, { secret: SECRET, client: redis.client(), hook: 'preHandler', cookie: { name: 'other', secure: false } })
  explicit.post('/hi', async req => { req.session.set('a', 'b'); return { ok: true } })
  await explicit.ready()
  const r = await explicit.inject({ method: 'POST', url: '/hi' })
  t.ok(sidOf(r, 'other'))
  t.notOk(r.cookies.find(c => c.name === 'other')?.secure)
})

test('session values: undefined deletes, unsupported values fail at set(), corrupt values read as absent', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client, closeClient: false })
  await app.register(redisSession, { secret: SECRET })
  app.post('/a', async req => {
    req.session.set('keep', 1).set('gone', 2)
    req.session.set('gone', undefined)
    return { has: req.session.has('gone'), deletedMissing: req.session.delete('never') }
  })
  app.post('/fn', async req => { req.session.set('f', () => 1); return {} })
  app.post('/badname', async req => { req.session.set('', 1); return {} })
  app.get('/all', async req => req.session.all())
  await app.ready()
  const res = await app.inject({ method: 'POST', url: '/a' })
  t.strictSame(res.json(), { has: false, deletedMissing: false })
  const sid = sidOf(res) as string
  t.equal((await app.inject({ method: 'POST', url: '/fn' })).json().code, 'FRP_UNSUPPORTED_VALUE')
  t.equal((await app.inject({ method: 'POST', url: '/badname' })).json().code, 'FRP_INVALID_OPTION')
  const id = sid.slice(0, sid.lastIndexOf('.'))
  await client.hset(app.sessions.keyOf(id), '=broken', 'q???')
  t.strictSame((await app.inject({ url: '/all', headers: cookie(sid) })).json(), { keep: 1 }, 'the corrupt field reads as absent')
})

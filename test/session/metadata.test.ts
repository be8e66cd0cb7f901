// docs/session.md, option `metadata` (default true): "Recorded when a session is created, shown by
// listForUser: true = { userAgent, ip }, false = nothing, or (request) => Record<string, string>".
// Stored under the hash field '#m'.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { buildApp, cookie, idOf, sidOf } from '../helpers/session.js'
import type { RedisSessionOptions } from '../../plugins/session.js'

test('metadata option', async t => {
  const redis = await startRedis(t)
  const client = redis.client()

  /** Creates an anonymous session, then logs it in; returns the stored hashes and listForUser. */
  async function journey (t: Parameters<typeof buildApp>[0], opts: Partial<RedisSessionOptions>, user: string): Promise<{ anon: Record<string, string>, logged: Record<string, string>, listed: unknown }> {
    const app = await buildApp(t, client, opts)
    const headers = { 'user-agent': 'tap-agent/1' }
    const created = await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 }, headers })
    const sid = sidOf(created)!
    const anon = await client.hgetall(app.sessions.keyOf(idOf(sid)))
    const login = await app.inject({ method: 'POST', url: '/login', payload: { userId: user }, headers: { ...headers, ...cookie(sid) } })
    const logged = await client.hgetall(app.sessions.keyOf(login.json().id))
    const listed = (await app.sessions.listForUser(user)).map(s => s.metadata)
    return { anon, logged, listed }
  }

  await t.test('false: nothing is recorded, for anonymous and logged-in sessions', async t => {
    const { anon, logged, listed } = await journey(t, { metadata: false, prefix: 'm-off' }, 'off')
    t.ok('=a' in anon, 'the anonymous session is stored')
    t.notOk('#m' in anon, `no metadata field: ${Object.keys(anon).join(' ')}`)
    t.ok('#u' in logged, 'the logged-in session is stored')
    t.notOk('#m' in logged, `no metadata field: ${Object.keys(logged).join(' ')}`)
    t.strictSame(listed, [null], 'listForUser shows none')
  })

  await t.test('true (default): { userAgent, ip }', async t => {
    const { anon, logged, listed } = await journey(t, { prefix: 'm-on' }, 'on')
    t.strictSame(JSON.parse(anon['#m']), { userAgent: 'tap-agent/1', ip: '127.0.0.1' })
    t.strictSame(JSON.parse(logged['#m']), { userAgent: 'tap-agent/1', ip: '127.0.0.1' })
    t.strictSame(listed, [{ userAgent: 'tap-agent/1', ip: '127.0.0.1' }])
  })

  await t.test('a function: what it returns', async t => {
    const { anon, logged, listed } = await journey(t, { prefix: 'm-fn', metadata: req => ({ via: req.url }) }, 'fn')
    t.strictSame(JSON.parse(anon['#m']), { via: '/set' })
    t.strictSame(JSON.parse(logged['#m']), { via: '/login' })
    t.strictSame(listed, [{ via: '/login' }])
  })
})

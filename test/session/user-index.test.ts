// Per-user index: list a user's sessions, log out everywhere (with except), pruning of expired
// entries. Runs on every topology.
import { test } from 'tap'
import { topologies, startTopology, eventually } from '../helpers/redis.js'
import { buildApp, sidOf, cookie, idOf } from '../helpers/session.js'
import { SessionStore } from '../../lib/session/store.js'
import { Session } from '../../lib/session/session.js'
import { userTag } from '../../lib/session/ids.js'

for (const topology of topologies()) {
  test(`user index on ${topology}`, async t => {
    const redis = await startTopology(t, topology)
    const client = redis.client()
    const app = await buildApp(t, client, {}, app => {
      app.get('/devices', async req => ({ sessions: await app.sessions.listForUser(req.session.userId as string) }))
      app.post('/logout-others', async req => ({
        destroyed: await app.sessions.destroyAllForUser(req.session.userId as string, { except: req.session.id })
      }))
    })

    await t.test('listForUser shows every device with its metadata; log out everywhere else keeps the current one', async t => {
      const laptop = sidOf(await app.inject({ method: 'POST', url: '/login', payload: { userId: 'bob' }, headers: { 'user-agent': 'laptop' } })) as string
      const phone = sidOf(await app.inject({ method: 'POST', url: '/login', payload: { userId: 'bob' }, headers: { 'user-agent': 'phone' } })) as string
      const tablet = sidOf(await app.inject({ method: 'POST', url: '/login', payload: { userId: 'bob' }, headers: { 'user-agent': 'tablet' } })) as string
      await app.inject({ method: 'POST', url: '/login', payload: { userId: 'carol' } })

      const list = (await app.inject({ url: '/devices', headers: cookie(laptop) })).json().sessions
      t.equal(list.length, 3, 'only bob\'s sessions')
      t.strictSame(list.map((s: { metadata: { userAgent: string } }) => s.metadata.userAgent).sort(), ['laptop', 'phone', 'tablet'])
      for (const s of list) {
        t.equal(s.userId, 'bob')
        t.equal(s.metadata.ip, '127.0.0.1')
        t.ok(s.createdAt > 0 && s.lastSeenAt >= s.createdAt && s.expiresAt > s.lastSeenAt && s.absoluteExpiresAt >= s.expiresAt)
      }

      const res = await app.inject({ method: 'POST', url: '/logout-others', headers: cookie(phone) })
      t.strictSame(res.json(), { destroyed: 2 })
      t.equal((await app.inject({ url: '/whoami', headers: cookie(phone) })).json().userId, 'bob', 'current device still logged in')
      for (const other of [laptop, tablet]) {
        const r = await app.inject({ url: '/whoami', headers: cookie(other) })
        t.equal(r.json().userId, null, 'other devices logged out')
        t.equal(sidOf(r), '')
      }
      t.strictSame((await app.sessions.listForUser('bob')).map(s => s.id), [idOf(phone)])
      t.equal((await app.sessions.listForUser('carol')).length, 1, 'other users untouched')

      t.equal(await app.sessions.destroy(idOf(phone)), true)
      t.equal(await app.sessions.destroy(idOf(phone)), false, 'destroy is idempotent')
      t.strictSame(await app.sessions.listForUser('bob'), [])
      t.equal(await app.sessions.destroyAllForUser('nobody'), 0)
    })

    await t.test('expired sessions are pruned from the index', async t => {
      const short = new SessionStore(client, { ttl: 200, touchInterval: 10 })
      const long = app.sessions
      const a = new Session(short)
      await a.setUser('dave')
      const b = new Session(long)
      await b.setUser('dave')
      const index = long.userIndexKey('dave')
      t.equal(await client.zcard(index), 2)
      await eventually(async () => (await client.exists(short.keyOf(a.id))) === 0, { what: 'the short session to expire' })
      t.strictSame((await long.listForUser('dave')).map(s => s.id), [b.id], 'only the live session is listed')
      t.equal(await client.zcard(index), 1, 'the expired entry was pruned')
      t.ok(await client.pttl(index) > 0, 'the index itself expires')
      t.ok(index.includes(`{${userTag('dave')}}`), 'the index shares the hash tag of the user\'s sessions')
    })
  })
}

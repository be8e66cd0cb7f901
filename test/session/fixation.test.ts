// Session fixation: regenerate and login kill the old id. Runs on every topology.
import { test } from 'tap'
import { topologies, startTopology } from '../helpers/redis.js'
import { buildApp, sidOf, cookie, idOf } from '../helpers/session.js'

for (const topology of topologies()) {
  test(`fixation defences on ${topology}`, async t => {
    const redis = await startTopology(t, topology)
    const app = await buildApp(t, redis.client())

    await t.test('regenerate issues a new id and the old one no longer works', async t => {
      const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })) as string
      const res = await app.inject({ method: 'POST', url: '/regenerate?keep=1', headers: cookie(sid) })
      const next = sidOf(res) as string
      t.ok(next)
      t.not(idOf(next), idOf(sid))
      t.equal(res.json().id, idOf(next))
      t.strictSame((await app.inject({ url: '/get/a', headers: cookie(next) })).json(), { value: 1 }, 'data kept with keepData')
      const old = await app.inject({ url: '/get/a', headers: cookie(sid) })
      t.strictSame(old.json(), { value: null }, 'old id dead')
      t.equal(sidOf(old), '', 'old cookie cleared')

      const empty = await app.inject({ method: 'POST', url: '/regenerate', headers: cookie(next) })
      t.equal(sidOf(empty), '', 'regenerate without data and nothing set: no session, cookie cleared')
      t.strictSame((await app.inject({ url: '/get/a', headers: cookie(next) })).json(), { value: null })
    })

    await t.test('an attacker-planted session id is worthless after the victim logs in', async t => {
      const planted = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'theme', value: 'dark' } })) as string
      const login = await app.inject({ method: 'POST', url: '/login', payload: { userId: 'victim' }, headers: cookie(planted) })
      t.equal(login.statusCode, 200)
      const victim = sidOf(login) as string
      t.not(idOf(victim), idOf(planted))
      t.strictSame((await app.inject({ url: '/whoami', headers: cookie(victim) })).json(),
        { id: idOf(victim), userId: 'victim', all: { theme: 'dark' } })
      const attacker = await app.inject({ url: '/whoami', headers: cookie(planted) })
      t.strictSame(attacker.json(), { id: null, userId: null, all: {} }, 'the planted id is not logged in')
      t.equal(sidOf(attacker), '')
    })

    await t.test('login without a prior session creates a user session at once', async t => {
      const res = await app.inject({ method: 'POST', url: '/login', payload: { userId: 'fresh' } })
      const sid = sidOf(res) as string
      t.strictSame((await app.inject({ url: '/whoami', headers: cookie(sid) })).json().userId, 'fresh')
      t.strictSame((await app.sessions.listForUser('fresh')).map(s => s.id), [idOf(sid)])
    })
  })
}

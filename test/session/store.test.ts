// The framework-free core on every topology: per-field writes, no resurrection, regenerate,
// user index. The HTTP-level behaviours have their own files.
import { test } from 'tap'
import { coreTopologies, startTopology } from '../helpers/redis.js'
import { SessionStore } from '../../lib/session/store.js'
import { Session } from '../../lib/session/session.js'
import { newSessionId, parseSessionId, userTag } from '../../lib/session/ids.js'

for (const topology of coreTopologies()) {
  test(`session store on ${topology}`, async t => {
    const redis = await startTopology(t, topology)
    const client = redis.client()
    const store = new SessionStore(client, { prefix: `t${topology}` })

    await t.test('a new session is written only once something is set, with only the changed fields', async t => {
      const s = new Session(store)
      t.equal(s.persisted, false)
      await s.save()
      t.equal(await client.exists(store.keyOf(s.id)), 0, 'nothing written for an untouched session')
      s.set('a', 1).set('b', 'two')
      await s.save()
      t.equal(s.persisted, true)
      const loaded = new Session(store, await store.load(s.id))
      t.equal(loaded.get('a'), 1)
      t.equal(loaded.get('b'), 'two')
      t.ok(typeof loaded.createdAt === 'number' && loaded.createdAt > 0)
      loaded.set('a', 1)
      t.equal(loaded.changed, false, 'setting an equal value changes nothing')
      loaded.delete('b')
      await loaded.save()
      const again = await store.load(s.id)
      t.strictSame(Object.fromEntries(again?.values ?? []), { a: 'j1' }, 'only the deleted field went away')
    })

    await t.test('two sessions objects of one id that change different fields both persist', async t => {
      const s = new Session(store)
      s.set('base', true)
      await s.save()
      const a = new Session(store, await store.load(s.id))
      const b = new Session(store, await store.load(s.id))
      a.set('x', 'from a')
      b.set('y', 'from b')
      await Promise.all([a.save(), b.save()])
      const final = new Session(store, await store.load(s.id))
      t.strictSame(final.all(), { base: true, x: 'from a', y: 'from b' })
    })

    await t.test('a destroyed session is never resurrected by a slower writer', async t => {
      const s = new Session(store)
      s.set('cart', [1])
      await s.save()
      const slow = new Session(store, await store.load(s.id))
      await store.destroy(s.id)
      slow.set('cart', [1, 2])
      await t.rejects(slow.save(), { code: 'FRP_SESSION_DESTROYED', statusCode: 409 })
      t.equal(await client.exists(store.keyOf(s.id)), 0, 'nothing written')
      t.equal(slow.persisted, false, 'the object continues as a new empty session')
      t.strictSame(slow.all(), {})
    })

    await t.test('regenerate with keepData moves the data and kills the old id atomically', async t => {
      const s = new Session(store)
      s.set('k', 'v')
      await s.save()
      const oldId = s.id
      s.set('pending', 1)
      await s.regenerate({ keepData: true })
      t.not(s.id, oldId)
      t.equal(parseSessionId(s.id)?.tag, parseSessionId(oldId)?.tag, 'same hash tag: one slot')
      t.equal(await store.load(oldId), null, 'old id is dead')
      await s.save()
      t.strictSame(new Session(store, await store.load(s.id)).all(), { k: 'v', pending: 1 })
      const stale = new Session(store, await store.load(s.id))
      await s.regenerate()
      t.strictSame(s.all(), {}, 'keepData false starts empty')
      stale.set('k', 'late')
      await t.rejects(stale.save(), { code: 'FRP_SESSION_DESTROYED' })
      await t.rejects(store.regenerate(oldId, newSessionId(parseSessionId(oldId)?.tag)), { code: 'FRP_SESSION_DESTROYED' })
    })

    await t.test('setUser binds the session to the user index and destroys the anonymous id', async t => {
      const s = new Session(store, null, () => ({ userAgent: 'tap', ip: '::1' }))
      s.set('cart', ['book'])
      await s.save()
      const anon = s.id
      await s.setUser('alice')
      t.equal(s.userId, 'alice')
      t.equal(parseSessionId(s.id)?.tag, userTag('alice'))
      t.equal(await store.load(anon), null)
      t.strictSame(s.all(), { cart: ['book'] }, 'data kept by default')
      const other = new Session(store)
      await other.setUser('alice', { keepData: false })
      const list = await store.listForUser('alice')
      t.strictSame(list.map(x => x.id).sort(), [s.id, other.id].sort())
      const mine = list.find(x => x.id === s.id)
      t.strictSame(mine?.metadata, { userAgent: 'tap', ip: '::1' })
      t.ok((mine?.expiresAt ?? 0) > Date.now() - 60_000 && (mine?.absoluteExpiresAt ?? 0) >= (mine?.expiresAt ?? 0))
      t.equal(await store.destroyAllForUser('alice', { except: s.id }), 1)
      t.strictSame((await store.listForUser('alice')).map(x => x.id), [s.id])
      t.equal(await store.load(other.id), null)
      t.equal(await store.destroyAllForUser('alice'), 1)
      t.strictSame(await store.listForUser('alice'), [])
      t.equal(await store.destroy('not-an-id'), false, 'malformed ids never reach Redis')
    })

    await t.test('regenerating a user session keeps it indexed under the new id', async t => {
      const s = new Session(store)
      await s.setUser(42 as unknown as string)
      t.equal(s.userId, '42', 'numeric ids are stringified')
      const before = s.id
      await s.regenerate({ keepData: true })
      t.equal(s.userId, '42')
      t.strictSame((await store.listForUser('42')).map(x => x.id), [s.id])
      t.not(s.id, before)
    })
  })
}

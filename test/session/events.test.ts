// SessionStore's typed events: created, destroyed, regenerated, conflict (a refused write) and
// error (Redis failed: the caller gets the same FRP_SESSION_UNAVAILABLE).
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { SessionStore } from '../../lib/session/store.js'
import { Session } from '../../lib/session/session.js'
import { newSessionId, userTag } from '../../lib/session/ids.js'

test('created, destroyed, regenerated and conflict fire with their arguments', async t => {
  const redis = await startRedis(t)
  const store = new SessionStore(redis.client(), { prefix: 'ev' })
  const seen: unknown[][] = []
  store.on('created', (id, userId) => { seen.push(['created', id, userId]) })
  store.on('destroyed', id => { seen.push(['destroyed', id]) })
  store.on('regenerated', (oldId, newId) => { seen.push(['regenerated', oldId, newId]) })
  store.on('conflict', (id, code) => { seen.push(['conflict', id, code]) })

  // An anonymous session, stored on its first save.
  const s = new Session(store)
  s.set('a', 1)
  await s.save()
  const first = s.id
  t.strictSame(seen.splice(0), [['created', first, null]])

  // regenerate with its data: one event naming both ids.
  await s.regenerate({ keepData: true })
  t.strictSame(seen.splice(0), [['regenerated', first, s.id]])

  // A write to a destroyed session is refused: conflict, on the hot path (update) and the general one.
  const stale = new Session(store, await store.load(s.id))
  await store.destroy(s.id)
  t.strictSame(seen.splice(0), [['destroyed', s.id]])
  stale.set('b', 2)
  await t.rejects(stale.save(), { code: 'FRP_SESSION_DESTROYED' })
  t.strictSame(seen.splice(0), [['conflict', s.id, 'FRP_SESSION_DESTROYED']])
  await t.rejects(store.touch(s.id), { code: 'FRP_SESSION_DESTROYED' })
  t.strictSame(seen.splice(0), [['conflict', s.id, 'FRP_SESSION_DESTROYED']])

  // Logging in: the old id is destroyed, a new one created for the user.
  const anon = new Session(store)
  anon.set('cart', [1])
  await anon.save()
  const anonId = anon.id
  seen.length = 0
  await anon.setUser('u1')
  t.strictSame(seen.splice(0), [['destroyed', anonId], ['created', anon.id, 'u1']])
  const id = newSessionId(userTag('u2'))
  await store.create(id, [], { userId: 'u2' })
  await t.rejects(store.create(id, []), { code: 'FRP_SESSION_ID_TAKEN' })
  t.strictSame(seen.splice(0), [['created', id, 'u2'], ['conflict', id, 'FRP_SESSION_ID_TAKEN']])

  // Typed listeners: unknown events do not compile.
  // @ts-expect-error 'stored' is not an event of SessionStore
  store.on('stored', () => {})
})

test('error: a paused Redis fails the call with FRP_SESSION_UNAVAILABLE, and the listener gets it', async t => {
  const redis = await startRedis(t)
  const store = new SessionStore(redis.client({ commandTimeout: undefined }), { prefix: 'ev', commandTimeout: 100 })
  const errors: Error[] = []
  store.on('error', err => { errors.push(err) })
  const s = new Session(store)
  s.set('a', 1)
  await s.save()
  await redis.pause(3000) // far longer than the 100 ms bound
  const err = await store.load(s.id).then(() => null, (e: unknown) => e)
  t.match(err, { code: 'FRP_SESSION_UNAVAILABLE', statusCode: 503, cause: { code: 'FRP_REDIS_TIMEOUT' } })
  t.equal(errors.length, 1)
  t.equal(errors[0], err, 'the listener gets the error the caller gets')
})

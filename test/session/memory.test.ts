// Issue 22 (cost at scale): what a session costs in Redis. With the typical payload (a user id and 5
// fields) and with the metadata the plugin records by default (a browser's user agent, longer than
// a listpack value), the session hash stays a listpack; every key carries a TTL; the per-user
// index is opt-out (userIndex: false).
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { SessionStore } from '../../lib/session/store.js'
import { newSessionId, userTag } from '../../lib/session/ids.js'
import { buildApp } from '../helpers/session.js'

let n = 0
const prefix = (): string => `mem${process.pid}x${++n}`

function typical (store: SessionStore, i: number): string[] {
  const fields = { name: `User ${i}`, email: `user${i}@example.com`, role: 'member', locale: 'en-GB', cart: ['sku-1', 'sku-2'] }
  const flat: string[] = []
  for (const [k, v] of Object.entries(fields)) flat.push(k, store.codec.encode(v))
  return flat
}

// A real browser's user agent (131 bytes), with a non-ASCII character so a chunk boundary may fall
// inside a multi-byte character.
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 é€'

test('issue 22: a session with the typical payload is a listpack hash, and both its keys expire', async t => {
  const redis = (await startRedis(t)).client()
  const store = new SessionStore(redis, { prefix: prefix() })
  const id = newSessionId(userTag('100001'))
  await store.create(id, typical(store, 1), { userId: '100001' })
  t.equal(await redis.object('ENCODING', store.keyOf(id)), 'listpack', 'the session hash is a listpack')
  const ttl = await redis.pttl(store.keyOf(id))
  t.ok(ttl > 0 && ttl <= store.options.ttl, `the session hash expires within the idle ttl (${ttl})`)
  t.ok(await redis.pttl(store.userIndexKey('100001')) > 0, 'the user index expires')
  t.equal(await redis.object('ENCODING', store.userIndexKey('100001')), 'listpack', 'the user index is a listpack')
})

test('issue 22: the default metadata (a user agent longer than a listpack value) keeps the hash a listpack and reads back whole', async t => {
  const redis = (await startRedis(t)).client()
  const store = new SessionStore(redis, { prefix: prefix() })
  const metadata = { userAgent: UA, ip: '203.0.113.7' }
  const id = newSessionId(userTag('7'))
  await store.create(id, typical(store, 7), { userId: '7', metadata })
  t.equal(await redis.object('ENCODING', store.keyOf(id)), 'listpack', 'still a listpack')
  const fields = await redis.hgetall(store.keyOf(id))
  for (const [f, v] of Object.entries(fields)) t.ok(Buffer.byteLength(v) <= 64, `${f}: ${Buffer.byteLength(v)} bytes fit a listpack value`)
  const [listed] = await store.listForUser('7')
  t.strictSame(listed.metadata, metadata, 'listForUser joins the chunks')
  const short = newSessionId(userTag('7'))
  await store.create(short, [], { userId: '7', metadata: { ip: '::1' } })
  t.equal(await redis.hget(store.keyOf(short), '#m'), '{"ip":"::1"}', 'short metadata stays one field')
  const loaded = await store.load(id)
  t.strictSame([...loaded!.values.keys()].sort(), ['cart', 'email', 'locale', 'name', 'role'], 'chunks are not session values')
})

test('issue 22: metadata written by the previous version (one long #m field) still lists', async t => {
  const redis = (await startRedis(t)).client()
  const store = new SessionStore(redis, { prefix: prefix() })
  const id = newSessionId(userTag('old'))
  await store.create(id, [], { userId: 'old' })
  const metadata = { userAgent: UA, ip: '198.51.100.1' }
  await redis.hset(store.keyOf(id), '#m', JSON.stringify(metadata))
  const [listed] = await store.listForUser('old')
  t.strictSame(listed.metadata, metadata)
})

test('issue 22: userIndex: false keeps no per-user key; sessions still know their user', async t => {
  const redis = (await startRedis(t)).client()
  const store = new SessionStore(redis, { prefix: prefix(), userIndex: false, touchInterval: 0 })
  const id = newSessionId(userTag('42'))
  await store.create(id, typical(store, 42), { userId: '42' })
  await store.update(id, ['role', store.codec.encode('admin')])
  await store.touch(id)
  const next = newSessionId(userTag('42'))
  await store.regenerate(id, next)
  t.equal(await redis.exists(store.userIndexKey('42')), 0, 'no user index was written')
  t.equal((await store.load(next))?.userId, '42', 'the session is bound to its user')
  await t.rejects(store.listForUser('42'), { code: 'FRP_INVALID_OPTION', message: /userIndex/ })
  await t.rejects(store.destroyAllForUser('42'), { code: 'FRP_INVALID_OPTION' })
  t.equal(await store.destroy(next), true, 'destroy works without the index')
  t.throws(() => new SessionStore(redis, { userIndex: 'no' as unknown as boolean }), { code: 'FRP_INVALID_OPTION', message: /userIndex/ })
})

test('issue 22: every key the session store writes carries a TTL', async t => {
  const redis = (await startRedis(t)).client()
  const p = prefix()
  const store = new SessionStore(redis, { prefix: p, touchInterval: 0 })
  const anon = newSessionId()
  await store.create(anon, typical(store, 1))
  await store.update(anon, ['role', store.codec.encode('x')], ['cart'])
  const user = newSessionId(userTag('u1'))
  await store.create(user, typical(store, 2), { userId: 'u1', metadata: { userAgent: UA, ip: '::1' } })
  await store.touch(user)
  const moved = newSessionId(userTag('u1'))
  await store.regenerate(user, moved)
  const other = newSessionId(userTag('u1'))
  await store.create(other, [], { userId: 'u1' })
  await store.destroy(other)
  const keys = await redis.keys(`${p}:*`)
  t.equal(keys.length, 3, 'two sessions and one user index')
  for (const k of keys) t.ok(await redis.pttl(k) > 0, `${k} expires`)
})

test('issue 22: the plugin logs in with userIndex: false and the default metadata: no index key, a listpack session', async t => {
  const server = await startRedis(t)
  const redis = server.client()
  const p = prefix()
  const app = await buildApp(t, redis, { prefix: p, userIndex: false })
  t.equal(app.sessions.options.userIndex, false, 'the option reaches the store')
  const res = await app.inject({ method: 'POST', url: '/login', payload: { userId: 'plugin-user' }, headers: { 'user-agent': UA } })
  t.equal(res.statusCode, 200)
  const keys = await redis.keys(`${p}:*`)
  t.equal(keys.length, 1, 'only the session hash')
  t.equal(await redis.object('ENCODING', keys[0]), 'listpack', 'the session with the user agent is a listpack')
  t.equal(await redis.hget(keys[0], '#u'), 'plugin-user')
})

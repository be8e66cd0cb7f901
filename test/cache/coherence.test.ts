import { randomBytes } from 'node:crypto'
import { test } from 'tap'
import { startRedis, startCluster, eventually } from '../helpers/redis.js'
import { makeCache } from './fixtures/setup.js'
import { peek } from './fixtures/internals.js'

test('an invalidation on one instance drops the L1 entry of the others', async t => {
  const redis = await startRedis(t)
  const a = await makeCache(t, redis.client(), { prefix: 'bus' })
  const b = await makeCache(t, redis.client(), { prefix: 'bus' })
  let version = 1
  const fetch = async (): Promise<number> => version
  t.equal(await a.wrap('k', fetch), 1)
  t.equal(await b.wrap('k', fetch), 1)
  t.ok(peek(b, 'k'), 'b holds k in L1')
  version = 2
  await a.invalidate('k')
  await eventually(() => peek(b, 'k') === undefined, { what: 'b L1 drop' })
  t.equal(await b.wrap('k', fetch), 2)

  await a.wrap('t1', fetch, { tags: ['group'] })
  await b.wrap('t1', fetch, { tags: ['group'] })
  await a.wrap('p:1', fetch)
  await b.wrap('p:1', fetch)
  await a.invalidateTags(['group'])
  await eventually(() => peek(b, 't1') === undefined, { what: 'tag drop' })
  await a.invalidatePrefix('p:')
  await eventually(() => peek(b, 'p:1') === undefined, { what: 'prefix drop' })
  await b.wrap('k', fetch)
  await a.clear()
  await eventually(() => peek(b, 'k') === undefined, { what: 'clear drop' })
  t.ok(b.stats().busMessages >= 4)
})

test('set() on one instance replaces the value everywhere', async t => {
  const redis = await startRedis(t)
  const a = await makeCache(t, redis.client(), { prefix: 'bset' })
  const b = await makeCache(t, redis.client(), { prefix: 'bset' })
  await a.set('k', 'one')
  t.equal(await b.get('k'), 'one')
  await a.set('k', 'two')
  await eventually(async () => (await b.get('k')) === 'two', { what: 'b sees the new value' })
  t.equal(await a.get('k'), 'two', 'the writer keeps the new value in its own L1')
})

test('regression: an invalidation sent while the subscriber is disconnected is not served stale from L1 after reconnect', async t => {
  const redis = await startRedis(t)
  const a = await makeCache(t, redis.client({ connectionName: 'a' }), { prefix: 'kill' })
  // b reconnects slowly, so the invalidation below certainly happens while it is away.
  const b = await makeCache(t, redis.client({ connectionName: 'b', retryStrategy: () => 300 }), { prefix: 'kill' })
  const seen = b.stats().busMessages
  await a.set('k', 'old')
  // The set's own broadcast must reach b before b fills its L1, or it drops the fresh entry.
  await eventually(() => b.stats().busMessages > seen, { what: "b received a's broadcast" })
  t.equal(await b.get('k'), 'old')
  t.ok(peek(b, 'k'), 'in b L1')
  const flushes = b.stats().l1Flushes
  t.ok(await redis.killClients({ name: 'b' }) >= 2, 'b command and subscriber connections killed')
  await eventually(() => !b.stats().busLive, { what: 'b notices the subscriber is down' })
  await a.set('k', 'new') // its broadcast reaches nobody on b's side
  const l1Hits = b.stats().l1Hits
  t.equal(peek(b, 'k'), undefined, 'L1 is bypassed while the bus is down')
  await eventually(() => b.stats().busLive, { what: 'b resubscribed', ms: 10_000 })
  t.equal(await b.get('k'), 'new', 'no stale read after the reconnect')
  t.equal(b.stats().l1Hits, l1Hits)
  t.ok(b.stats().l1Flushes >= flushes + 2, 'L1 flushed on down and again on up')
})

test('L1 is shared by reference unless clone is set', async t => {
  const redis = await startRedis(t)
  const shared = await makeCache(t, redis.client(), { prefix: 'ref' })
  const cloned = await makeCache(t, redis.client(), { prefix: 'ref2', l1: { clone: true } })
  const v1 = await shared.wrap('o', async () => ({ n: 1 }))
  t.equal(await shared.wrap('o', async () => ({ n: 2 })), v1)
  const c1 = await cloned.wrap('o', async () => ({ n: 1 }))
  const c2 = await cloned.wrap('o', async () => ({ n: 2 }))
  t.not(c2, c1)
  t.strictSame(c2, { n: 1 })
})

test('L1 is bounded by entry count and bytes', async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client(), { prefix: 'lru', l1: { maxEntries: 3, maxBytes: 10_000 } })
  for (let i = 0; i < 10; i++) await cache.wrap(`k${i}`, async () => i)
  t.equal(cache.stats().l1Entries, 3)
  await cache.wrap('big', async () => randomBytes(12_000).toString('hex'))
  t.ok(peek(cache, 'big') === undefined, 'an entry larger than maxBytes stays out of L1')
  t.ok(cache.stats().l1Bytes <= 10_000)
})

test('on a Redis Cluster, invalidations published from scripts reach the other instance', async t => {
  const cluster = await startCluster(t)
  const a = await makeCache(t, cluster.client(), { prefix: 'cbus' })
  const b = await makeCache(t, cluster.client(), { prefix: 'cbus' })
  let version = 1
  const fetch = async (): Promise<number> => version
  for (const k of ['k1', 'k2', 'k3']) {
    await a.wrap(k, fetch, { tags: ['all'] })
    await b.wrap(k, fetch, { tags: ['all'] })
  }
  version = 2
  await a.invalidate('k1')
  await eventually(() => peek(b, 'k1') === undefined, { what: 'key drop on b' })
  await a.invalidateTags(['all'])
  await eventually(() => peek(b, 'k2') === undefined && peek(b, 'k3') === undefined, { what: 'tag drop on b' })
  t.equal(await b.wrap('k2', fetch, { tags: ['all'] }), 2)
})

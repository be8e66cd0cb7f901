// The events of docs/cache.md ("on(event, fn)"): each is emitted with the documented arguments
// when the documented thing happens. `hit`, `miss` and `fetch` are checked in core.test.ts.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeCache, gate } from './fixtures/setup.js'
import { peek } from './fixtures/internals.js'
import type { Cache, CacheEvent } from '../../lib/cache/index.js'

/** Every emission of `event` on `cache`, as the list of its arguments. */
function record (cache: Cache, event: CacheEvent): unknown[][] {
  const seen: unknown[][] = []
  cache.on(event, (...args: unknown[]) => { seen.push(args) })
  return seen
}

test("stale (key, 'revalidate') and refresh (key): a stale value served within staleWhileRevalidate", async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client(), { prefix: 'ev-swr', ttl: 30, staleWhileRevalidate: 60_000, earlyRefresh: 0, l1: false })
  const stale = record(cache, 'stale')
  const refresh = record(cache, 'refresh')
  let calls = 0
  const fetch = async (): Promise<number> => ++calls
  t.equal(await cache.wrap('k', fetch), 1)
  t.strictSame(stale, [], 'a fill is not a stale read')
  // The entry turns stale 30 ms after the fill: the first read after that serves 1 and refreshes.
  await eventually(async () => { await cache.wrap('k', fetch); return stale.length > 0 }, { what: 'a stale read' })
  t.strictSame(stale[0], ['k', 'revalidate'])
  await eventually(() => calls === 2, { what: 'the background refresh' })
  t.strictSame(refresh, [['k']], 'one refresh, announced once with the key')
})

test("stale (key, 'error'): a stale value served because the fetcher threw, within staleIfError", async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client(), { prefix: 'ev-sie', ttl: 20, staleIfError: 60_000, earlyRefresh: 0, l1: false })
  const stale = record(cache, 'stale')
  t.equal(await cache.wrap('k', async () => 'good'), 'good')
  let failures = 0
  await eventually(async () => {
    const v = await cache.wrap('k', async () => { failures++; throw new Error('origin down') })
    return v === 'good' && failures > 0
  }, { what: 'the stale value served on error' })
  t.strictSame(stale, [['k', 'error']])
})

test('dedupe (key): a wrap joining the same key already in flight in this process', async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client(), { prefix: 'ev-dd' })
  const dedupe = record(cache, 'dedupe')
  const g = gate<string>()
  let calls = 0
  const fetch = async (): Promise<string> => { calls++; return await g.promise }
  const first = cache.wrap('k', fetch)
  const second = cache.wrap('k', fetch)
  t.strictSame(dedupe, [['k']], 'emitted as the second call joins')
  g.open('v')
  t.strictSame(await Promise.all([first, second]), ['v', 'v'])
  t.equal(calls, 1)
})

test('wait (key): an instance waiting for the fill another instance holds the lease for', async t => {
  const redis = await startRedis(t)
  const a = await makeCache(t, redis.client(), { prefix: 'ev-w' })
  const b = await makeCache(t, redis.client(), { prefix: 'ev-w' })
  const waitsA = record(a, 'wait')
  const waitsB = record(b, 'wait')
  const g = gate<string>()
  const filling = a.wrap('k', async () => await g.promise)
  await eventually(async () => (await redis.client().exists('ev-w:cache:{k}:l')) === 1, { what: "a's fill lease" })
  const waiting = b.wrap('k', async () => 'b must not fetch')
  await eventually(() => waitsB.length > 0, { what: 'b waiting' })
  g.open('from a')
  t.equal(await filling, 'from a')
  t.equal(await waiting, 'from a')
  t.strictSame(waitsB, [['k']], 'once per wait, with the key')
  t.strictSame(waitsA, [], 'the lease holder does not wait')
})

test("invalidate (kind, subject, 'local'|'remote'): on the invalidating instance and on its peers", async t => {
  const redis = await startRedis(t)
  const a = await makeCache(t, redis.client(), { prefix: 'ev-inv' })
  const b = await makeCache(t, redis.client(), { prefix: 'ev-inv' })
  const onA = record(a, 'invalidate')
  const onB = record(b, 'invalidate')
  const has = (list: unknown[][], ev: unknown[]): boolean => list.some(e => JSON.stringify(e) === JSON.stringify(ev))

  await a.invalidate('k1')
  t.strictSame(onA, [['k', 'k1', 'local']], 'local, once, and never echoed back as remote')
  await eventually(() => has(onB, ['k', 'k1', 'remote']), { what: 'the key invalidation on b' })

  await a.invalidateTags(['t1'])
  t.ok(has(onA, ['t', 't1', 'local']), JSON.stringify(onA))
  await eventually(() => has(onB, ['t', 't1', 'remote']), { what: 'the tag invalidation on b' })

  await a.invalidatePrefix('p:')
  t.ok(has(onA, ['p', 'p:', 'local']), JSON.stringify(onA))
  await eventually(() => has(onB, ['p', 'p:', 'remote']), { what: 'the prefix invalidation on b' })

  await a.clear()
  t.ok(has(onA, ['c', '', 'local']), JSON.stringify(onA))
  await eventually(() => has(onB, ['c', '', 'remote']), { what: 'the clear on b' })

  // set() is an invalidation for the peers (their L1 copy is dropped).
  await a.set('k2', 'v')
  await eventually(() => has(onB, ['k', 'k2', 'remote']), { what: "a's set on b" })

  t.notOk(onA.some(e => e[2] === 'remote'), "a never hears its own messages: 'remote' is only the peers'")
  t.notOk(onB.some(e => e[2] === 'local'), "b invalidated nothing itself: no 'local'")
})

test("flush ('down' | 'up'): L1 flushed when the subscriber drops and again when it is back", async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client({ connectionName: 'flushing' }), { prefix: 'ev-fl' })
  // L1 serves only while the invalidation bus is live; on a loaded machine the first subscribe can
  // land after the cache is made (seen in a run under load: the first event was that 'up').
  await eventually(() => cache.stats().busLive, { what: 'the invalidation bus live', ms: 10_000 })
  const flush = record(cache, 'flush')
  await cache.wrap('k', async () => 1)
  t.ok(peek(cache, 'k'), 'in L1')
  t.ok(await redis.killClients({ name: 'flushing' }) >= 1)
  await eventually(() => flush.some(e => e[0] === 'up'), { what: 'the subscriber back', ms: 10_000 })
  t.strictSame(flush[0], ['down'], 'first the flush on disconnect')
  t.strictSame(flush.find(e => e[0] !== 'down'), ['up'], 'then the flush on resubscription')
  t.ok(flush.every(e => e.length === 1 && (e[0] === 'down' || e[0] === 'up')), JSON.stringify(flush))
})

test('error (err, key): a Redis failure, with the key it happened on', async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client(), { prefix: 'ev-err', commandTimeout: 200 })
  const errors = record(cache, 'error')
  await cache.wrap('warm', async () => 1)
  t.strictSame(errors, [])
  await redis.kill()
  t.equal(await cache.get('gone'), undefined, 'a read fails open')
  const mine = errors.filter(e => e[1] === 'gone')
  t.equal(mine.length, 1, JSON.stringify(errors.map(e => e[1])))
  t.ok(mine[0][0] instanceof Error, 'the first argument is the error')
})

test('error (err, key): a value the codec refuses (above codec.maxBytes), with the key', async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client(), { prefix: 'ev-big', codec: { maxBytes: 100, compressThreshold: false } })
  const errors = record(cache, 'error')
  const big = 'x'.repeat(500)
  t.equal(await cache.wrap('big', async () => big), big, 'the fetched value is still returned')
  t.equal(errors.length, 1)
  t.equal(errors[0][1], 'big')
  t.match(errors[0][0], { code: 'FRP_VALUE_TOO_LARGE' })
})

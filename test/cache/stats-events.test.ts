// Every counter of stats() has its event (issue 16 item 1: one record(event) counts and emits).
// Regression: L1 hits (of lookup, get and the route cache), the fetches and stale values of the
// uncached path, refused stale sets and corrupt entries were counted but never emitted. Here each
// counter is driven at least once and must equal the number of its events.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import type { Cache, CacheEvent, CacheStats } from '../../lib/cache/index.js'
import { makeCache, gate } from './fixtures/setup.js'

const EVENTS: CacheEvent[] = ['hit', 'miss', 'stale', 'fetch', 'fetched', 'dedupe', 'wait', 'refresh', 'refused', 'corrupt', 'error', 'invalidate', 'flush']

/** The counter an event moves (null: an event with no counter, a local invalidation). */
function counterOf (event: CacheEvent, args: unknown[]): keyof CacheStats | null {
  switch (event) {
    case 'hit': return args[1] === 'l1' ? 'l1Hits' : 'l2Hits'
    case 'miss': return 'misses'
    case 'stale': return 'staleServed'
    case 'fetch': return 'fetches'
    case 'fetched': return args[2] === 'error' ? 'fetchErrors' : null
    case 'dedupe': return 'dedupeJoins'
    case 'wait': return 'waits'
    case 'refresh': return 'refreshes'
    case 'refused': return 'staleSetsRefused'
    case 'corrupt': return 'corrupt'
    case 'error': return 'errors'
    case 'invalidate': return args[2] === 'remote' ? 'busMessages' : null
    case 'flush': return 'l1Flushes'
  }
}

/** Counts the events of `cache` by the counter they stand for. */
function tally (cache: Cache): Partial<Record<keyof CacheStats, number>> {
  const seen: Partial<Record<keyof CacheStats, number>> = {}
  for (const event of EVENTS) {
    cache.on(event, (...args: unknown[]) => {
      const c = counterOf(event, args)
      if (c !== null) seen[c] = (seen[c] ?? 0) + 1
    })
  }
  return seen
}

function counters (cache: Cache): CacheStats {
  const { l1Entries, l1Bytes, busLive, ...rest } = cache.stats()
  return rest
}

/** Counts since `before` (the counters start at construction; the tallies when they listen). */
function since (cache: Cache, before: CacheStats): CacheStats {
  const now = counters(cache)
  for (const k of Object.keys(now) as Array<keyof CacheStats>) now[k] -= before[k]
  return now
}

test('every counter in stats() moves with its event, one event per count', async t => {
  const redis = await startRedis(t)
  const admin = redis.client()
  const opts = { prefix: 'se', earlyRefresh: 0, codec: { maxBytes: 1000, compressThreshold: false as const } }
  const a = await makeCache(t, redis.client({ connectionName: 'se-a' }), opts)
  const b = await makeCache(t, redis.client(), opts)
  const onA = tally(a)
  const onB = tally(b)
  const beforeA = counters(a)
  const beforeB = counters(b)

  // misses, fetches, L1 hits (wrap and get), L2 hits (b has no L1 copy)
  t.equal(await a.wrap('k', async () => 1), 1)
  t.equal(await a.wrap('k', async () => 2), 1)
  t.equal(await a.get('k'), 1)
  t.equal(await b.get('k'), 1)
  t.equal(await a.get('absent'), undefined)

  // dedupe: a second wrap joins the first
  const g = gate<string>()
  const first = a.wrap('d', async () => await g.promise)
  const second = a.wrap('d', async () => 'not called')
  // wait: b waits for a's fill of the same key
  await eventually(async () => (await admin.exists('se:cache:{d}:l')) === 1, { what: "a's fill lease" })
  const waiting = b.wrap('d', async () => 'b must not fetch')
  await eventually(() => b.stats().waits > 0, { what: 'b waiting' })
  g.open('v')
  t.strictSame(await Promise.all([first, second, waiting]), ['v', 'v', 'v'])

  // stale (revalidate) and refresh: served past its ttl within staleWhileRevalidate
  const swr = { ttl: 30, staleWhileRevalidate: 60_000, l1Ttl: 0 }
  await a.wrap('s', async () => 's1', swr)
  await eventually(async () => { await a.wrap('s', async () => 's2', swr); return a.stats().refreshes > 0 }, { what: 'a stale read and its refresh' })
  // stale (error): served past its ttl because the fetcher threw, within staleIfError
  const sie = { ttl: 30, staleIfError: 60_000, l1Ttl: 0 }
  await a.wrap('e', async () => 'good', sie)
  await eventually(async () => (await a.wrap('e', async () => { throw new Error('origin down') }, sie)) === 'good' && a.stats().staleServed > 1, { what: 'stale on error' })

  // refused: the key is invalidated while its fetch runs, so the result is not stored
  t.equal(await a.wrap('r', async () => { await a.invalidate('r'); return 'old' }), 'old')
  // error: a value above codec.maxBytes is returned but not cached
  const big = 'x'.repeat(5000)
  t.equal(await a.wrap('big', async () => big), big)
  // corrupt: an entry that does not parse reads as a miss
  await admin.set('se:cache:{bad}', 'not an entry')
  t.equal(await a.get('bad'), undefined)

  // busMessages: b hears a's invalidation
  await a.invalidate('k')
  await eventually(() => b.stats().busMessages > 0, { what: "a's invalidation heard by b" })
  // l1Flushes: a's subscriber is dropped and comes back
  t.ok(await redis.killClients({ name: 'se-a' }) >= 1)
  await eventually(() => a.stats().l1Flushes >= 2 && a.stats().busLive, { what: "a's L1 flushed down and up", ms: 10_000 })

  const statsA = since(a, beforeA)
  const statsB = since(b, beforeB)
  for (const [name, count] of Object.entries(statsA) as Array<[keyof CacheStats, number]>) {
    t.equal(onA[name] ?? 0, count, `a: ${name} = ${count}, one event each`)
  }
  for (const [name, count] of Object.entries(statsB) as Array<[keyof CacheStats, number]>) {
    t.equal(onB[name] ?? 0, count, `b: ${name} = ${count}, one event each`)
  }
  const driven = new Set(Object.entries({ ...statsA }).filter(([, n]) => n > 0).map(([k]) => k))
  for (const [name, n] of Object.entries(statsB)) if (n > 0) driven.add(name)
  t.strictSame([...Object.keys(statsA)].filter(k => !driven.has(k)), [], 'every counter was driven at least once')
})

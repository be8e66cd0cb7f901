import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeCache } from './fixtures/setup.js'
import { redisMs } from '../helpers/redis-time.js'

test('stale-while-revalidate serves the stale value and refreshes it once in the background', async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client(), { prefix: 'swr', ttl: 30, staleWhileRevalidate: 60_000, earlyRefresh: 0, l1: false })
  let calls = 0
  const fetch = async (): Promise<number> => ++calls
  t.equal(await cache.wrap('k', fetch), 1)
  await eventually(async () => {
    const served = await Promise.all([cache.wrap('k', fetch), cache.wrap('k', fetch), cache.wrap('k', fetch)])
    return served.includes(2) || cache.stats().staleServed > 0
  }, { what: 'a stale read' })
  await eventually(async () => (await cache.wrap('k', fetch)) === 2, { what: 'the refreshed value' })
  t.equal(calls, 2, 'one refresh, however many stale reads')
  t.equal(cache.stats().misses, 1)
})

test('stale-if-error serves the stale value when the fetcher throws', async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client(), { prefix: 'sie', ttl: 20, staleIfError: 60_000, l1: false, earlyRefresh: 0 })
  t.equal(await cache.wrap('k', async () => 'good'), 'good')
  let failures = 0
  await eventually(async () => {
    const v = await cache.wrap('k', async () => { failures++; throw new Error('origin down') })
    return v === 'good' && failures > 0
  }, { what: 'stale served on error' })
  t.ok(cache.stats().staleServed >= 1)
  await cache.invalidate('k')
  await t.rejects(cache.wrap('k', async () => { throw new Error('origin down') }), /origin down/, 'no stale value: the error surfaces')
})

test('probabilistic early refresh (XFetch) refreshes a fresh entry before it expires', async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client(), { prefix: 'xf', ttl: 60_000, earlyRefresh: 100, l1: false })
  let calls = 0
  const fetch = async (): Promise<number> => ++calls
  t.equal(await cache.wrap('k', fetch), 1)
  // The entry is fresh for a minute and its fetch took no time, so XFetch would refresh it only
  // near the end. Rewrite its header (freshUntil,delta,...) as if the fetch had taken 1 s and
  // 5 s of Redis time were left: each read then refreshes with a probability of about 95%, and
  // the entry stays fresh long enough that no read on a slow machine misses.
  const freshUntil = await redisMs(redis.admin) + 5000
  const raw = await redis.client().get('xf:cache:{k}')
  await redis.client().set('xf:cache:{k}', raw!.replace(/^\d+,\d+,/, `${freshUntil},1000,`), 'KEEPTTL')
  await eventually(async () => { await cache.wrap('k', fetch); return cache.stats().refreshes > 0 }, { what: 'an early refresh' })
  await eventually(() => calls === 2, { what: 'the refresh fetch' })
  t.equal(cache.stats().misses, 1, 'no caller ever missed')
})

test('TTL jitter shortens TTLs by up to the given share', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const cache = await makeCache(t, client, { prefix: 'jit', ttl: 10_000, jitter: 0.5 })
  const ttls: number[] = []
  for (let i = 0; i < 10; i++) {
    await cache.set(`k${i}`, i)
    ttls.push(await client.pttl(`jit:cache:{k${i}}`))
  }
  t.ok(ttls.every(x => x > 4_000 && x <= 10_000), String(ttls))
  t.ok(new Set(ttls.map(x => Math.round(x / 100))).size > 1, 'TTLs differ')
})

test('an L1 entry never outlives the fresh life of its L2 entry', async t => {
  const redis = await startRedis(t)
  // The L1 would keep the entry for a minute; the L2 entry is fresh for three seconds (one second
  // was shorter than a fill on a loaded 2-core run: the entry was past its fresh life before L1
  // could hold it).
  const cache = await makeCache(t, redis.client(), { prefix: 'l1ttl', ttl: 3000, l1: { ttl: 60_000 }, earlyRefresh: 0 })
  let calls = 0
  t.equal(await cache.wrap('k', async () => ++calls), 1)
  t.equal(cache.stats().l1Entries, 1, 'the value is held in L1 (so the refetch below is not for want of an L1)')
  await eventually(async () => (await cache.wrap('k', async () => ++calls)) === 2, { what: 'refetch after the L2 TTL', ms: 20_000 })
  t.equal(calls, 2)
})

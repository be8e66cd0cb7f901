// docs/cache.md, failure policy: "Waited maxWait | stale value if allowed, else
// FRP_CACHE_WAIT_TIMEOUT (503)". Instance `holder` takes the fill lease of a key whose entry is
// past its fresh life and never fills; instance `waiter` (maxWait 300 ms) asks for the key.
import { test, type Test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { scriptCalls } from '../helpers/command-stats.js'
import { makeCache, gate } from './fixtures/setup.js'
import type { Cache } from '../../lib/cache/cache.js'

test('after maxWait behind a lease that is never filled', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const opts = { prefix: 'mw', earlyRefresh: 0, l1: false as const }
  const holder = await makeCache(t, redis.client(), { ...opts, maxWait: 60_000 })
  const waiter = await makeCache(t, redis.client(), { ...opts, maxWait: 300 })
  const stale: unknown[][] = []
  waiter.on('stale', (...args: unknown[]) => { stale.push(args) })

  /**
   * Stores `key` = 'old value', makes it 30 s past its fresh life (still kept in Redis for the
   * minute of staleIfError), then lets `holder` take the lease and hang in its fetcher.
   * Returns the function that finally lets the holder's fetch end.
   */
  async function holdStaleKey (t: Test, key: string): Promise<() => void> {
    const entry = `mw:cache:{${key}}`
    await holder.set(key, 'old value', { ttl: 60_000, staleIfError: 60_000 })
    // The header starts with the fresh-until time (Redis ms): moved well into the past, so every
    // instance's clock estimate agrees the entry is stale (a short TTL would race their offsets).
    const raw = await client.get(entry)
    t.ok(raw !== null && /^\d+,/.test(raw), 'entry stored')
    await client.set(entry, raw!.replace(/^\d+/, String(Date.now() - 30_000)), 'KEEPTTL')
    t.equal(await holder.get(key), undefined, 'no longer fresh')
    const g = gate<string>()
    const filling = holder.wrap(key, async () => await g.promise, { staleIfError: 60_000 })
    await eventually(async () => (await client.exists(`mw:cache:{${key}}:l`)) === 1, { what: "the holder's lease" })
    const release = (): void => { g.open('new value') }
    t.teardown(async () => { release(); await filling })
    return release
  }

  let fetched = 0
  const fetcher = async (): Promise<string> => { fetched++; return 'fetched by the waiter' }
  const waitsOf = (c: Cache): number => c.stats().waits

  await t.test('staleIfError allows it: the stale value, after waiting', async t => {
    await holdStaleKey(t, 'sie')
    const waits = waitsOf(waiter)
    const served = waiter.stats().staleServed
    await redis.admin('CONFIG', 'RESETSTAT')
    t.equal(await waiter.wrap('sie', fetcher, { staleIfError: 60_000 }), 'old value')
    // Regression: the waiter took the stale entry it had rejected for a fill, re-judged it and
    // started over, a loop of script calls that never waited (hundreds per second, maxWait never
    // reached) until the holder's lease expired and it fetched itself. Waiting costs a few calls.
    const calls = await scriptCalls(redis.admin)
    t.ok(calls < 10, `${calls} script calls while waiting`)
    t.equal(waitsOf(waiter), waits + 1, 'it did wait for the fill first')
    t.equal(waiter.stats().staleServed, served + 1)
    t.equal(fetched, 0, 'the waiter never runs the fetcher while the lease is held')
    // Regression: the stale value served after maxWait was counted but not emitted as 'stale'.
    t.strictSame(stale.at(-1), ['sie', 'error'])
  })

  await t.test('staleWhileRevalidate allows it: the stale value at once, without waiting', async t => {
    await holdStaleKey(t, 'swr')
    const waits = waitsOf(waiter)
    t.equal(await waiter.wrap('swr', fetcher, { staleWhileRevalidate: 60_000 }), 'old value')
    t.equal(waitsOf(waiter), waits, 'no wait: stale-while-revalidate serves the stale value immediately')
  })

  await t.test('a waiter behind a stale entry takes the fill that ends the wait, not the stale entry', async t => {
    const patient = await makeCache(t, redis.client(), { ...opts, maxWait: 60_000 })
    const release = await holdStaleKey(t, 'filled')
    const waits = waitsOf(patient)
    const waiting = patient.wrap('filled', fetcher, { staleIfError: 60_000 })
    await eventually(() => waitsOf(patient) === waits + 1, { what: 'the waiter waiting' })
    release()
    t.equal(await waiting, 'new value')
    t.equal(fetched, 0)
  })

  await t.test('neither allows it: FRP_CACHE_WAIT_TIMEOUT', async t => {
    await holdStaleKey(t, 'none')
    const waits = waitsOf(waiter)
    await t.rejects(waiter.wrap('none', fetcher), { code: 'FRP_CACHE_WAIT_TIMEOUT', statusCode: 503 })
    t.equal(waitsOf(waiter), waits + 1)
    t.equal(fetched, 0, 'no "give up and hit the origin"')
  })
})

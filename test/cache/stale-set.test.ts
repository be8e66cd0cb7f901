import { test } from 'tap'
import { topologies, startTopology, eventually } from '../helpers/redis.js'
import { makeCache } from './fixtures/setup.js'
import { deferred } from '../helpers/deferred.js'
import { CacheKeys } from '../../lib/cache/keys.js'
import { scripts } from '../../lib/cache/scripts.js'

for (const topology of topologies()) {
  test(`stale-set guard on ${topology}`, async t => {
    const redis = await startTopology(t, topology)

    await t.test('regression: an invalidation during a fetch wins over the late (stale) result', async t => {
      const reader = await makeCache(t, redis.client(), { prefix: 'ss' })
      const writer = await makeCache(t, redis.client(), { prefix: 'ss' })
      const g = deferred<string>()
      let started = false
      const slow = reader.wrap('user:1', async () => { started = true; return await g.promise })
      await eventually(() => started, { what: 'the fetch started' })
      // The writer updates the origin and invalidates while the reader's fetch is in flight.
      await writer.invalidate('user:1')
      g.resolve('old name')
      t.equal(await slow, 'old name', 'the reader still gets its own result')
      t.equal(reader.stats().staleSetsRefused, 1)
      t.equal(await writer.get('user:1'), undefined, 'the stale value was not stored')
      t.equal(await reader.get('user:1'), undefined, 'nor put in the reader L1')
      t.equal(await reader.wrap('user:1', async () => 'new name'), 'new name')
    })

    await t.test('a tag invalidation during a fetch makes the late entry invalid', async t => {
      const reader = await makeCache(t, redis.client(), { prefix: 'sst', l1: false })
      const writer = await makeCache(t, redis.client(), { prefix: 'sst' })
      const g = deferred<string>()
      let started = false
      const slow = reader.wrap('post:1', async () => { started = true; return await g.promise }, { tags: ['post:1'] })
      await eventually(() => started, { what: 'the fetch started' })
      await writer.invalidateTags(['post:1'])
      g.resolve('old')
      t.equal(await slow, 'old')
      t.equal(await reader.get('post:1'), undefined)
      t.equal(await reader.wrap('post:1', async () => 'new', { tags: ['post:1'] }), 'new')
    })

    await t.test('set() during a fetch wins over the fetch result', async t => {
      const cache = await makeCache(t, redis.client(), { prefix: 'ssw' })
      const g = deferred<string>()
      let started = false
      const slow = cache.wrap('k', async () => { started = true; return await g.promise })
      await eventually(() => started, { what: 'the fetch started' })
      await cache.set('k', 'written')
      g.resolve('fetched before the write')
      await slow
      t.equal(await cache.get('k'), 'written')
    })

    await t.test('write-through loses to a set() that lands during the origin write', async t => {
      const a = await makeCache(t, redis.client(), { prefix: 'ssws' })
      const b = await makeCache(t, redis.client(), { prefix: 'ssws' })
      const g = deferred()
      let started = false
      const w = a.writeThrough('acct', async () => { started = true; await g.promise; return 'A wrote' })
      await eventually(() => started, { what: 'the write-through started' })
      await b.set('acct', 'B set')
      g.resolve()
      t.equal(await w, 'A wrote')
      t.equal(await a.get('acct'), undefined, 'order unknown: the entry is dropped, the next read fetches')
      // b's L1 copy of its own set is dropped by a's broadcast, which arrives asynchronously.
      await eventually(async () => await b.get('acct') === undefined, { what: "b's L1 to drop 'B set'" })
    })

    await t.test('issue 22: set replaces the generation in one SET .. GET, and a new value equal to the old one still changes it', async t => {
      const client = redis.client()
      const [entry, gen, lease] = new CacheKeys('ssg').triple('k')
      const run = async (newGen: string): Promise<[number, number]> => await scripts.run<[number, number]>(client, 'write', [entry, gen, lease],
        ['', 'sv', 60_000, 0, '', 'ssg:bus', 'x|kk', newGen, 1000, 'ssg:fill', 'k'])
      t.equal((await run('41'))[0], 1, 'stored')
      t.equal(await client.get(gen), '41', 'a missing generation starts at the given random value')
      const ttl = await client.pttl(gen)
      t.ok(ttl > 60_000 && ttl <= 61_000, 'the generation lives as long as the entry plus the slack')
      await run('41')
      t.not(await client.get(gen), '41', 'a random value equal to the old generation is bumped, never kept')
      await run('7')
      t.equal(await client.get(gen), '7')
      t.equal(await client.get(entry).then(v => v?.endsWith(';sv')), true)
    })

    await t.test('write-through loses to an invalidation that lands during the origin write', async t => {
      const a = await makeCache(t, redis.client(), { prefix: 'sswt' })
      const b = await makeCache(t, redis.client(), { prefix: 'sswt' })
      const g = deferred()
      let started = false
      const w = a.writeThrough('acct', async () => { started = true; await g.promise; return 'A wrote' })
      await eventually(() => started, { what: 'the fetch started' })
      await b.invalidate('acct')
      g.resolve()
      t.equal(await w, 'A wrote')
      t.equal(await b.get('acct'), undefined, 'order unknown: the entry is dropped, the next read fetches')
      t.equal(await a.get('acct'), undefined)
    })
  })
}

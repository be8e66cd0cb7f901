import { test } from 'tap'
import { topologies, startTopology, eventually } from '../helpers/redis.js'
import { makeCache } from './fixtures/setup.js'
import { deferred, within } from '../helpers/deferred.js'

for (const topology of topologies()) {
  test(`stampede protection on ${topology}`, async t => {
    const redis = await startTopology(t, topology)

    await t.test('concurrent misses on three instances run the fetcher exactly once', async t => {
      const caches = await Promise.all([0, 1, 2].map(() => makeCache(t, redis.client(), { prefix: 'sf' })))
      const g = deferred<string>()
      let calls = 0
      const fetch = async (): Promise<string> => { calls++; return await g.promise }
      const all = []
      for (let i = 0; i < 60; i++) all.push(caches[i % 3].wrap('hot', fetch))
      const waits = (): number => caches.reduce((n, c) => n + c.stats().waits, 0)
      await eventually(() => waits() === 2, { what: 'the two other instances waiting for the fill' })
      g.resolve('value')
      const results = await Promise.all(all)
      t.equal(calls, 1)
      t.ok(results.every(r => r === 'value'))
      const joins = caches.reduce((n, c) => n + c.stats().dedupeJoins, 0)
      t.equal(joins, 57, 'in-process single flight: one call per instance reaches Redis')
    })

    await t.test('if the lease holder dies, its lease expires and one waiter takes over', async t => {
      const client = redis.client()
      const cache = await makeCache(t, client, { prefix: 'dead', leaseTtl: 200 })
      // A holder that died right after taking the lease: the lease key exists, nobody will fill.
      await client.set('dead:cache:{k}:l', 'token-of-a-dead-process', 'PX', 150)
      let calls = 0
      const results = await Promise.all([1, 2, 3].map(() => cache.wrap('k', async () => { calls++; return 'recovered' })))
      t.strictSame(results, ['recovered', 'recovered', 'recovered'])
      t.equal(calls, 1)
      t.equal(cache.stats().waits, 1)
    })

    await t.test('waiting is bounded by maxWait', async t => {
      const client = redis.client()
      const cache = await makeCache(t, client, { prefix: 'bounded', maxWait: 100 })
      await client.set('bounded:cache:{k}:l', 'held', 'PX', 60_000)
      let calls = 0
      await t.rejects(cache.wrap('k', async () => { calls++; return 1 }), { code: 'FRP_CACHE_WAIT_TIMEOUT' })
      t.equal(calls, 0, 'never gives up and hits the origin while another instance holds the lease')
    })

    await t.test('a failing fetcher releases the lease so a waiter retries at once', async t => {
      // The lease would expire after a minute and the waiter would wait that long: only the
      // release can hand the waiter the key within the 20 s deadline below.
      const opts = { prefix: 'fail', leaseTtl: 60_000, maxWait: 120_000 }
      const a = await makeCache(t, redis.client(), opts)
      const b = await makeCache(t, redis.client(), opts)
      const g = deferred()
      const fetching = deferred()
      const first = a.wrap('k', async () => { fetching.resolve(); await g.promise; throw new Error('origin down') })
      await fetching.promise
      const second = b.wrap('k', async () => 'from b')
      await eventually(() => b.stats().waits === 1, { what: 'b waiting for the lease' })
      g.resolve()
      await t.rejects(first, /origin down/)
      t.equal(await within(second, 20_000, 'the waiter after the release'), 'from b')
    })
  })
}

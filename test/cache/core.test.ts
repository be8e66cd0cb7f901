import { test } from 'tap'
import { coreTopologies, startTopology } from '../helpers/redis.js'
import { makeCache } from './fixtures/setup.js'
import { deferred } from '../helpers/deferred.js'

for (const topology of coreTopologies()) {
  test(`core behaviour on ${topology}`, async t => {
    const redis = await startTopology(t, topology)
    const client = redis.client()

    await t.test('cached 0, empty string, false and null are hits, not misses', async t => {
      const cache = await makeCache(t, client, { prefix: 'falsy', l1: false })
      for (const [i, v] of [0, '', false, null].entries()) {
        let calls = 0
        const fetch = async (): Promise<unknown> => { calls++; return v }
        t.equal(await cache.wrap(`k${i}`, fetch), v)
        t.equal(await cache.wrap(`k${i}`, fetch), v, `second read of ${JSON.stringify(v)}`)
        t.equal(calls, 1, `${JSON.stringify(v)} fetched once`)
        t.equal(await cache.get(`k${i}`), v)
        t.equal(await cache.has(`k${i}`), true)
      }
    })

    await t.test('a fetcher returning undefined is not cached', async t => {
      const cache = await makeCache(t, client, { prefix: 'undef' })
      let calls = 0
      const fetch = async (): Promise<undefined> => { calls++; return undefined }
      t.equal(await cache.wrap('u', fetch), undefined)
      t.equal(await cache.wrap('u', fetch), undefined)
      t.equal(calls, 2)
      t.equal(await cache.has('u'), false)
    })

    await t.test('negative caching keeps null for its own short TTL', async t => {
      const cache = await makeCache(t, client, { prefix: 'neg', negativeTtl: 5_000, ttl: 600_000, l1: false })
      let calls = 0
      const fetch = async (): Promise<null> => { calls++; return null }
      t.equal(await cache.wrap('missing', fetch), null)
      t.equal(await cache.wrap('missing', fetch), null)
      t.equal(calls, 1, 'not found is served from the cache')
      const pttl = await client.pttl('t:cache:{missing}'.replace('t:', 'neg:'))
      t.ok(pttl > 0 && pttl <= 5_000, `short TTL (${pttl} ms)`)
    })

    await t.test('get, set, has, del, getMany and setMany', async t => {
      // No L1: every read decodes what Redis holds (an L1 hit would return the very object set).
      const cache = await makeCache(t, client, { prefix: 'crud', l1: false })
      t.equal(await cache.get('a'), undefined)
      await cache.set('a', { n: 1, when: new Date(5), big: 10n })
      t.strictSame(await cache.get('a'), { n: 1, when: new Date(5), big: 10n }, 'Date and BigInt survive the codec')
      await cache.setMany([{ key: 'b', value: 2 }, { key: 'c', value: 'three', options: { ttl: 5000 } }])
      t.strictSame(await cache.getMany(['a', 'b', 'c', 'zz']), [{ n: 1, when: new Date(5), big: 10n }, 2, 'three', undefined])
      await cache.del('b')
      t.equal(await cache.has('b'), false)
      t.equal(await cache.has('c'), true)
      await t.rejects(cache.get(''), { code: 'FRP_INVALID_OPTION' })
    })

    await t.test('a corrupt entry is read as a miss and replaced', async t => {
      const cache = await makeCache(t, client, { prefix: 'corrupt', l1: false })
      await client.set('corrupt:cache:{x}', 'garbage without header')
      await client.set('corrupt:cache:{y}', '99999999999999,0,1,0;\u0001not-a-codec-value')
      t.equal(await cache.get('x'), undefined)
      t.equal(await cache.wrap('x', async () => 'fresh'), 'fresh')
      t.equal(await cache.wrap('y', async () => 'fresh y'), 'fresh y')
      t.equal(await cache.get('x'), 'fresh')
      t.ok(cache.stats().corrupt >= 2)
    })

    await t.test('tags are invalidated atomically with Redis-side versions', async t => {
      const cache = await makeCache(t, client, { prefix: 'tags' })
      let n = 0
      const fetch = async (): Promise<number> => ++n
      t.equal(await cache.wrap('u1', fetch, { tags: ['user:1', 'users'] }), 1)
      t.equal(await cache.wrap('u2', fetch, { tags: ['user:2', 'users'] }), 2)
      t.equal(await cache.wrap('u1', fetch, { tags: ['user:1', 'users'] }), 1)
      await cache.invalidateTags(['user:1'])
      t.equal(await cache.wrap('u1', fetch, { tags: ['user:1', 'users'] }), 3, 'u1 refetched')
      t.equal(await cache.wrap('u2', fetch, { tags: ['user:2', 'users'] }), 2, 'u2 untouched')
      await cache.invalidateTags(['users'])
      t.equal(await cache.get('u1'), undefined, 'get() checks the tags stored in the entry')
      t.equal(await cache.wrap('u2', fetch, { tags: ['user:2', 'users'] }), 4)
      // A tag whose version key is gone (evicted) never validates an entry again.
      const l2only = await makeCache(t, client, { prefix: 'tags', l1: false })
      await l2only.set('v', 'x', { tags: ['volatile'] })
      t.equal(await l2only.get('v'), 'x')
      await client.del('tags:cache-tag:{volatile}')
      t.equal(await l2only.get('v'), undefined)
    })

    await t.test('prefix invalidation and clear() reach every master with SCAN', async t => {
      const cache = await makeCache(t, client, { prefix: 'pfx' })
      const other = await makeCache(t, client, { prefix: 'pfx-other' })
      for (let i = 0; i < 30; i++) await cache.set(`user:${i}`, i)
      for (let i = 0; i < 5; i++) await cache.set(`order:${i}`, i)
      await other.set('user:1', 'other')
      t.equal(await cache.invalidatePrefix('user:'), 30)
      t.equal(await cache.get('user:7'), undefined)
      t.equal(await cache.get('order:3'), 3)
      t.equal(await other.get('user:1'), 'other', 'another prefix is untouched')
      t.equal(await cache.clear(), 5)
      t.equal(await cache.get('order:3'), undefined)
      t.equal(await other.get('user:1'), 'other')
    })

    await t.test('keys with braces, percent signs and unicode are isolated and invalidated by prefix', async t => {
      const cache = await makeCache(t, client, { prefix: 'odd' })
      await cache.set('a{b}%c', 1)
      await cache.set('a{b}%d', 2)
      await cache.set('ä/ü', 3, { tags: ['tâg'] })
      t.equal(await cache.get('a{b}%c'), 1)
      t.equal(await cache.get('ä/ü'), 3)
      t.equal(await cache.invalidatePrefix('a{b}%'), 2)
      t.equal(await cache.get('a{b}%d'), undefined)
      await cache.invalidateTags(['tâg'])
      t.equal(await cache.get('ä/ü'), undefined)
    })

    await t.test('write-through caches the written value and wins over a fetch in flight', async t => {
      const cache = await makeCache(t, client, { prefix: 'wt' })
      const peer = await makeCache(t, client, { prefix: 'wt', l1: false })
      // A reader's fetch takes the fill lease and is held open (it read the origin before the write).
      const origin = deferred<{ balance: number }>()
      const fetching = deferred()
      const inFlight = cache.wrap('acct', async () => { fetching.resolve(); return await origin.promise })
      await fetching.promise
      const v = await cache.writeThrough('acct', async () => ({ balance: 10 }))
      t.strictSame(v, { balance: 10 })
      origin.resolve({ balance: 5 }) // the fetch completes after the write, with the old value
      t.strictSame(await inFlight, { balance: 5 }, 'the reader still gets its own result')
      t.equal(cache.stats().staleSetsRefused, 1, 'the late fetch result was refused')
      t.strictSame(await cache.get('acct'), { balance: 10 })
      t.strictSame(await peer.get('acct'), { balance: 10 }, 'Redis holds the written value, not the fetched one')
    })

    await t.test('stats() and events report hits, misses and fetches', async t => {
      const cache = await makeCache(t, client, { prefix: 'stats' })
      const events: string[] = []
      cache.on('hit', (_k: string, level: string) => events.push(`hit:${level}`))
      cache.on('miss', () => events.push('miss'))
      cache.on('fetch', () => events.push('fetch'))
      await cache.wrap('s', async () => 1)
      await cache.wrap('s', async () => 1)
      t.strictSame(events, ['miss', 'fetch', 'hit:l1'])
      const s = cache.stats()
      t.equal(s.misses, 1)
      t.equal(s.fetches, 1)
      t.equal(s.l1Hits, 1)
      t.equal(s.l1Entries, 1)
    })
  })
}

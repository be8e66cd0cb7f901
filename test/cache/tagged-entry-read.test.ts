// A tagged entry read by a caller that names no tags (cache.wrap(key, fetcher) of a value stored
// with `tags`): the entry is checked from the GET that read it, its tags' versions read beside.
// Regression (found reading the cache split): lookup() read the entry, saw it carried tags and
// handed over to the tagged path, which read the same entry again — two GETs of one key per hit.
// Counted through the server's commandstats, never through timings.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { commandCounts } from '../helpers/command-stats.js'
import { makeCache } from './fixtures/setup.js'

test('an L2 hit on an entry stored with tags, read without tags, reads the entry once', async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client(), { prefix: 'tr', ttl: 60_000, earlyRefresh: 0, l1: false })
  await cache.set('user:1', { name: 'Ada' }, { tags: ['users', 'team:7'] })
  let fetches = 0

  await redis.admin('CONFIG', 'RESETSTAT')
  const { l2Hits } = cache.stats()
  t.strictSame(await cache.wrap('user:1', async () => { fetches++; return { name: 'other' } }), { name: 'Ada' }, 'the stored value')
  t.equal(fetches, 0, 'no fetch: a hit')
  t.equal(cache.stats().l2Hits, l2Hits + 1, 'an L2 hit')
  t.equal((await commandCounts(redis.admin)).get, 3, 'three GETs: the entry once, and one per tag version')

  // The entry is still checked: invalidating one of its tags makes the next read a miss.
  await cache.invalidateTags(['team:7'])
  t.strictSame(await cache.wrap('user:1', async () => { fetches++; return { name: 'Ada Lovelace' } }), { name: 'Ada Lovelace' }, 'refetched after its tag was invalidated')
  t.equal(fetches, 1)
})

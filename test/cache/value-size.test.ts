// docs/cache.md: values go through the codec; "values above codec.maxBytes are not cached (the
// error is counted)". set() rejects with FRP_VALUE_TOO_LARGE and writes nothing; wrap() returns
// the fetched value without caching it and releases its fill lease.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { commandCounts } from '../helpers/command-stats.js'
import { makeCache } from './fixtures/setup.js'
import { peek } from './fixtures/internals.js'

test('values above codec.maxBytes', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const codec = { maxBytes: 100, compressThreshold: false as const }
  const cache = await makeCache(t, redis.client(), { prefix: 'vs', codec })
  const peer = await makeCache(t, redis.client(), { prefix: 'vs', codec, l1: false })
  const big = 'x'.repeat(500)

  await t.test('set() rejects with FRP_VALUE_TOO_LARGE and writes nothing', async t => {
    await redis.admin('CONFIG', 'RESETSTAT')
    await t.rejects(cache.set('new', big), { code: 'FRP_VALUE_TOO_LARGE', statusCode: 413 })
    // (the clock's periodic TIME and connection PINGs are not the cache writing)
    const sent = Object.keys(await commandCounts(redis.admin)).filter(c => c !== 'time' && c !== 'ping')
    t.strictSame(sent, [], 'not one command of the write reached Redis')
    t.equal(await client.exists('vs:cache:{new}', 'vs:cache:{new}:g'), 0)

    await cache.set('kept', 'small')
    await t.rejects(cache.set('kept', big), { code: 'FRP_VALUE_TOO_LARGE' })
    t.equal(await cache.get('kept'), 'small', 'the previous value stays (this instance)')
    t.equal(await peer.get('kept'), 'small', 'the previous value stays (Redis)')
  })

  await t.test('wrap() returns the value, does not cache it, counts the error and frees the lease', async t => {
    const errors = cache.stats().errors
    let calls = 0
    const fetch = async (): Promise<string> => { calls++; return big }
    t.equal(await cache.wrap('w', fetch), big)
    t.equal(cache.stats().errors, errors + 1, 'counted')
    t.equal(await client.exists('vs:cache:{w}'), 0, 'no entry')
    t.equal(await client.exists('vs:cache:{w}:l'), 0, 'lease released: no one waits for a fill that will not come')
    t.equal(peek(cache, 'w'), undefined, 'not in L1')
    t.equal(await peer.wrap('w', fetch), big)
    t.equal(calls, 2, 'each wrap fetches again')
  })
})

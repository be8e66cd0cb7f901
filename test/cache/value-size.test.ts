// docs/cache.md: values go through the codec; "values above codec.maxBytes are not cached (the
// error is counted)". set() rejects with FRP_VALUE_TOO_LARGE and writes nothing; wrap() returns
// the fetched value without caching it and releases its fill lease; writeThrough() returns the
// written value without caching it and drops the key's previous entry.
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
  // Regression: writeThrough() rejected with FRP_VALUE_TOO_LARGE after its writer had changed the
  // origin and left the previous entry cached, so every reader was served the old value.
  await t.test('writeThrough() returns the value, does not cache it and drops the stale entry', async t => {
    await cache.set('wt', 'old')
    t.equal(await peer.get('wt'), 'old')
    t.equal(peek(cache, 'wt')?.value, 'old', 'the old value is in L1 before the write')
    const errors = cache.stats().errors
    const seen: unknown[] = []
    const onError = (err: unknown, key: unknown): void => { seen.push([(err as { code?: string }).code, key]) }
    cache.on('error', onError)
    t.teardown(() => { cache.off('error', onError) })
    let origin = 'old'
    t.equal(await cache.writeThrough('wt', async () => { origin = big; return big }), big, "the writer's value is returned")
    t.equal(origin, big, 'the writer ran')
    t.equal(cache.stats().errors, errors + 1, 'the refusal is counted')
    t.strictSame(seen, [['FRP_VALUE_TOO_LARGE', 'wt']], "and emitted as 'error' with the key")
    t.equal(await client.exists('vs:cache:{wt}'), 0, 'the old entry is gone from Redis')
    t.equal(peek(cache, 'wt'), undefined, 'and from L1')
    t.equal(await peer.get('wt'), undefined, 'a peer reads a miss, not the old value')
    t.equal(await cache.get('wt'), undefined, 'so does the writer instance')
  })
})

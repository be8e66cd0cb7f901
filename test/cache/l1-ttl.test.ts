// docs/cache.md, per-call options: `l1Ttl` bounds how long this entry stays in L1 ("0 keeps
// the entry out of L1"). An entry whose L1 life ended is read from Redis again: observed through
// stats() and the server's commandstats, never through timings.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { commandCounts } from '../helpers/command-stats.js'
import { makeCache } from './fixtures/setup.js'
import { peek } from './fixtures/internals.js'

test('per-call l1Ttl', async t => {
  const redis = await startRedis(t)
  // L1 would keep entries a minute by default; the entries are fresh in Redis for a minute too.
  const cache = await makeCache(t, redis.client(), { prefix: 'l1c', ttl: 60_000, earlyRefresh: 0, l1: { ttl: 60_000 } })
  let calls = 0
  const fetch = async (): Promise<number> => ++calls
  const gets = async (): Promise<number> => (await commandCounts(redis.admin)).get ?? 0

  await t.test('a short l1Ttl: the entry leaves L1 and is read from Redis again', async t => {
    // Regression (three loaded runs, two red): with a 100 ms L1 life, the fill of 'long' between the
    // fill and the peek took longer than 100 ms. 'short' is peeked right after its own fill, with a
    // life of a second; 'long' is filled after that.
    t.equal(await cache.wrap('short', fetch, { l1Ttl: 1000 }), 1)
    t.ok(peek(cache, 'short'), 'short is in L1 at first')
    t.equal(await cache.wrap('long', fetch), 2)
    await eventually(() => peek(cache, 'short') === undefined, { what: 'short to leave L1' })
    t.ok(peek(cache, 'long'), 'an entry with the default L1 life is still there')

    await redis.admin('CONFIG', 'RESETSTAT')
    const { l2Hits, l1Hits } = cache.stats()
    t.equal(await cache.wrap('short', fetch, { l1Ttl: 1000 }), 1, 'the cached value, not a new fetch')
    t.equal(cache.stats().l2Hits, l2Hits + 1, 'an L2 hit')
    t.equal(await gets(), 1, 'one GET sent to Redis')
    t.equal(await cache.wrap('long', fetch), 2)
    t.equal(cache.stats().l1Hits, l1Hits + 1, 'long is still served from L1')
    t.equal(await gets(), 1, 'no GET for long')
    t.equal(calls, 2)
  })

  await t.test('l1Ttl 0 keeps the entry out of L1: every read goes to Redis', async t => {
    const before = calls
    const v = await cache.wrap('zero', fetch, { l1Ttl: 0 })
    t.equal(peek(cache, 'zero'), undefined, 'not in L1 after the fill')
    await cache.set('set-zero', 'x', { l1Ttl: 0 })
    t.equal(peek(cache, 'set-zero'), undefined, 'not in L1 after set')

    await redis.admin('CONFIG', 'RESETSTAT')
    const { l2Hits } = cache.stats()
    t.equal(await cache.wrap('zero', fetch, { l1Ttl: 0 }), v)
    t.equal(await cache.wrap('zero', fetch, { l1Ttl: 0 }), v)
    t.equal(await cache.get('set-zero', { l1Ttl: 0 }), 'x')
    t.equal(cache.stats().l2Hits, l2Hits + 3)
    t.equal(await gets(), 3, 'each read is one GET')
    t.equal(peek(cache, 'zero'), undefined, 'an L2 hit does not put it in L1 either')
    t.equal(calls, before + 1, 'one fetch')
  })
})

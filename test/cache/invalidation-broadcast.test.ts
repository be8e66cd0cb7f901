// Pins "an invalidation on one instance drops the L1 copy of every other instance" (mutation
// drill: cache-invalidation-not-broadcast). coherence.test.ts waits up to 5 s for the peer's L1 to
// drop its copy, which the default 5 s L1 TTL does by itself; here L1 keeps entries for a minute,
// and the peer must have received the broadcast.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeCache } from './fixtures/setup.js'
import { peek } from './fixtures/internals.js'

test('invalidate() on one instance reaches the L1 of the others through the bus', async t => {
  const redis = await startRedis(t)
  const opts = { prefix: 'ib', ttl: 60_000, l1: { ttl: 60_000 } }
  const a = await makeCache(t, redis.client(), opts)
  const b = await makeCache(t, redis.client(), opts)
  let version = 1
  const fetch = async (): Promise<number> => version
  t.equal(await a.wrap('k', fetch), 1)
  t.equal(await b.wrap('k', fetch), 1)
  t.ok(peek(b, 'k'), 'b holds k in L1')

  version = 2
  const before = b.stats().busMessages
  await a.invalidate('k')
  await eventually(() => b.stats().busMessages > before, { ms: 10_000, what: 'b to receive the invalidation' })
  t.equal(peek(b, 'k'), undefined, 'b dropped its L1 copy')
  t.equal(await b.wrap('k', fetch), 2, 'and reads the new value')
})

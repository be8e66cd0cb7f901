// Pins "a failing fetcher releases the fill lease, so a waiter retries at once" (mutation drill:
// cache-stampede-lease-kept-on-failure). stampede.test.ts checks that the waiter gets its value,
// which it also does, later, once an unreleased lease expires; here the lease outlives the whole
// test (60 s), so only the release can let the waiter through.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeCache, gate } from './fixtures/setup.js'

test('a failing fetcher gives its fill lease back: the waiter fetches instead of waiting out the lease', async t => {
  const redis = await startRedis(t)
  const opts = { prefix: 'lr', leaseTtl: 60_000, maxWait: 30_000 }
  const a = await makeCache(t, redis.client(), opts)
  const b = await makeCache(t, redis.client(), opts)
  const admin = redis.client()
  const leaseKey = 'lr:cache:{k}:l' // the fill lease of key k under prefix lr

  const started = gate()
  const failNow = gate()
  const first = a.wrap('k', async () => { started.open(); await failNow.promise; throw new Error('origin down') })
  await started.promise
  t.equal(await admin.exists(leaseKey), 1, 'a holds the fill lease while its fetcher runs')

  const second = b.wrap('k', async () => 'from b')
  await eventually(() => b.stats().waits === 1, { ms: 10_000, what: 'b to wait for a\'s fill' })
  failNow.open()
  await t.rejects(first, /origin down/)
  await eventually(async () => await admin.exists(leaseKey) === 0, { ms: 10_000, what: 'the failed fetch to release its lease' })
  t.equal(await second, 'from b', 'the waiter ran its own fetch')
})

import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { makeCache } from './fixtures/setup.js'

test('Redis killed: wrap falls back to the fetcher, errors are counted and logged', async t => {
  const redis = await startRedis(t)
  const logged: unknown[] = []
  const cache = await makeCache(t, redis.client(), {
    prefix: 'down', commandTimeout: 200, logger: { warn: (o: unknown) => { logged.push(o) } }
  })
  const errors: unknown[] = []
  cache.on('error', (err: unknown) => errors.push(err))
  t.equal(await cache.wrap('k', async () => 'v1'), 'v1')
  await redis.kill()
  t.equal(await cache.wrap('other', async () => 'from origin'), 'from origin')
  t.equal(await cache.get('other'), undefined)
  t.ok(cache.stats().errors >= 2)
  t.ok(logged.length >= 2)
  t.ok(errors.length >= 2)
  await t.rejects(cache.invalidate('k'), 'writes reject: the caller must know')
})

test('a paused (slow) Redis: wrap answers from the fetcher after commandTimeout', async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client({ commandTimeout: 10_000 }), { prefix: 'slow', commandTimeout: 100, l1: false })
  await cache.wrap('warm', async () => 1)
  await redis.pause(1500)
  t.equal(await cache.wrap('k', async () => 'origin'), 'origin')
  t.ok(cache.stats().errors >= 1)
})

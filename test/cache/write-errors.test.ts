// Regression: the cache's write paths (set, setMany, writeThrough, invalidate, invalidateTags)
// rejected with ioredis's raw error when Redis failed outright (a closed connection, "Too many
// Cluster redirections" from a dead Cluster master): only timeouts were coded. They now reject with
// FRP_REDIS_UNAVAILABLE (503, the original as `cause`) or FRP_REDIS_TIMEOUT, like the other patterns.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { makeCache } from './fixtures/setup.js'

const REDIS_DOWN = /^FRP_REDIS_(TIMEOUT|UNAVAILABLE)$/

test('writes on a dead Redis reject with a coded 503 error', async t => {
  const redis = await startRedis(t)
  // A long bound of our own: the failure must come from the connection, not from our timer.
  const cache = await makeCache(t, redis.client({ commandTimeout: 10_000 }), { prefix: 'we', commandTimeout: 10_000, l1: false })
  await cache.set('warm', 1)
  await redis.kill()
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['set', () => cache.set('k', 1)],
    ['set with tags', () => cache.set('k', 1, { tags: ['t1'] })],
    ['setMany', () => cache.setMany([{ key: 'a', value: 1 }])],
    ['writeThrough', () => cache.writeThrough('k', () => 2)],
    ['invalidate', () => cache.invalidate('k')],
    ['invalidateTags', () => cache.invalidateTags(['t1'])]
  ]
  for (const [name, call] of calls) {
    const err = await call().then(() => null, (e: unknown) => e) as (Error & { code?: string, statusCode?: number }) | null
    t.match(err?.code, REDIS_DOWN, `${name}: ${String(err?.message)}`)
    t.equal(err?.statusCode, 503, `${name}: 503`)
    if (err?.code === 'FRP_REDIS_UNAVAILABLE') t.ok(err.cause instanceof Error, `${name}: the original error is the cause`)
  }
})

// Regression: invalidatePrefix() and clear() rejected with ioredis's raw error when Redis failed
// outright (a closed connection): their PUBLISH and SCAN calls were bounded but not translated,
// unlike every other cache write path. Write-behind's write/pending/flush had the same gap. They now
// reject with FRP_REDIS_UNAVAILABLE (503, the original as `cause`) or FRP_REDIS_TIMEOUT.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { makeCache } from './fixtures/setup.js'

const REDIS_DOWN = /^FRP_REDIS_(TIMEOUT|UNAVAILABLE)$/

test('invalidatePrefix, clear and write-behind calls on a dead Redis reject with a coded 503 error', async t => {
  const redis = await startRedis(t)
  // A long bound of our own: the failure must come from the connection, not from our timer.
  const cache = await makeCache(t, redis.client({ commandTimeout: 10_000 }), { prefix: 'sec', commandTimeout: 10_000, l1: false })
  await cache.set('p:1', 1)
  t.equal(await cache.invalidatePrefix('p:'), 1, 'the sweep works while Redis is up')
  const wb = cache.writeBehind('q', { interval: 0, flush: () => {} })
  await redis.kill()
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['invalidatePrefix', () => cache.invalidatePrefix('p:')],
    ['clear', () => cache.clear()],
    ['writeBehind.write', () => wb.write('k', 1)],
    ['writeBehind.pending', () => wb.pending()],
    ['writeBehind.flush', () => wb.flush()]
  ]
  for (const [name, call] of calls) {
    const err = await call().then(() => null, (e: unknown) => e) as (Error & { code?: string, statusCode?: number }) | null
    t.match(err?.code, REDIS_DOWN, `${name}: ${String(err?.message)}`)
    t.equal(err?.statusCode, 503, `${name}: 503`)
    if (err?.code === 'FRP_REDIS_UNAVAILABLE') t.ok(err.cause instanceof Error, `${name}: the original error is the cause`)
  }
})

// The one-policy hot path of the sliding-window and gcra scripts: a packed integer reply (with the
// array kept for long resets), a TTL moved only when it is too short, and hitFast's callback form.
import t from 'tap'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import type { RateLimitResult } from '../../lib/rate-limit/result.js'
import { startRedis } from '../helpers/redis.js'
import { commandCounts } from '../helpers/command-stats.js'

function hitCb (rl: RateLimiter, key: string, rule: ReturnType<RateLimiter['rule']>, cost = 1): { sync: boolean, done: Promise<RateLimitResult> } {
  let sync = true
  let settle!: (v: RateLimitResult) => void
  let fail!: (e: Error) => void
  const done = new Promise<RateLimitResult>((resolve, reject) => { settle = resolve; fail = reject })
  const out = { sync: false, done }
  rl.hitFast(key, rule, cost, (err, result) => {
    out.sync = sync
    if (err !== null) fail(err)
    else settle(result as RateLimitResult)
  })
  sync = false
  return out
}

t.test('hot path', async t => {
  const r = await startRedis(t)
  const redis = r.client()

  for (const algorithm of ['sliding-window', 'gcra'] as const) {
    t.test(`${algorithm}: a reset longer than 2^23 ms (packed reply limit) still gets exact figures`, async t => {
      const rl = new RateLimiter(redis, { blockCache: false })
      // 3 hours; for gcra one token per 3 hours (the reset is one emission interval), burst 4.
      const window = 3 * 3_600_000
      const rule = rl.rule(algorithm === 'gcra' ? { limit: 1, burst: 4, window, algorithm } : { limit: 4, window, algorithm })
      const first = await rl.hit(`long-${algorithm}`, rule)
      t.strictSame([first.allowed, first.remaining, first.limit, first.retryAfterMs], [true, 3, 4, 0])
      t.ok(first.resetMs > 8_388_608 && first.resetMs <= window, `resetMs ${first.resetMs}`)
      const short = await rl.hit(`short-${algorithm}`, rl.rule({ limit: 4, window: 60_000, algorithm }), 2)
      t.strictSame([short.allowed, short.remaining, short.retryAfterMs, short.degraded], [true, 2, 0, false])
      t.ok(short.resetMs > 0 && short.resetMs <= 60_000, `resetMs ${short.resetMs}`)
    })

    if (algorithm === 'sliding-window') {
      t.test(`${algorithm}: the TTL moves only when shorter than needed, and never shrinks`, async t => {
        const rl = new RateLimiter(redis, { blockCache: false })
        // An hour: the log outlives every TTL this test sets.
        const window = 3_600_000
        const rule = rl.rule({ limit: 1000, window, algorithm })
        const key = rl.keyOf(`ttl-${algorithm}`, algorithm)
        await rl.hit(`ttl-${algorithm}`, rule)
        const first = await redis.pttl(key)
        t.ok(first > 0 && first <= window + 60_000, `new key: TTL set (${first} ms)`)
        await redis.pexpire(key, 10_000_000)
        await r.admin('CONFIG', 'RESETSTAT')
        await rl.hit(`ttl-${algorithm}`, rule)
        t.ok(await redis.pttl(key) > 9_000_000, 'a longer TTL is left alone')
        t.notOk((await commandCounts(r.admin)).pexpire, 'no PEXPIRE while the TTL suffices')
        // The log must outlive the window.
        await redis.pexpire(key, 1000)
        await rl.hit(`ttl-${algorithm}`, rule)
        const moved = await redis.pttl(key)
        t.ok(moved > window && moved <= window + 60_000, `a too short TTL is moved, with slack (${moved} ms)`)
        t.equal((await rl.peek(`ttl-${algorithm}`, rule)).remaining, 997, 'every hit counted')
      })
    }
  }

  t.test('hitFast with a callback: async for Redis, synchronous for a cached rejection, errors to the callback', async t => {
    const rl = new RateLimiter(redis)
    const rule = rl.rule({ limit: 1, window: 60_000 })
    const a = hitCb(rl, 'cb', rule)
    const first = await a.done
    t.equal(a.sync, false)
    t.strictSame([first.allowed, first.remaining], [true, 0])
    const rejected = await hitCb(rl, 'cb', rule).done
    t.equal(rejected.allowed, false)
    const cached = hitCb(rl, 'cb', rule)
    t.equal(cached.sync, true, 'block cache answers in the same tick')
    t.equal((await cached.done).allowed, false)
    await t.rejects(hitCb(rl, 'cb2', rule, 0).done, { code: 'FRP_INVALID_OPTION' })
    await t.rejects(hitCb(rl, '', rule).done, { code: 'FRP_INVALID_KEY' })
  })

  t.test('hitFast (both forms) recovers from an empty script cache', async t => {
    const rl = new RateLimiter(redis, { blockCache: false })
    const rule = rl.rule({ limit: 10, window: 60_000, algorithm: 'gcra' })
    await r.admin('SCRIPT', 'FLUSH')
    t.equal((await hitCb(rl, 'flush', rule).done).remaining, 9)
    await r.admin('SCRIPT', 'FLUSH')
    t.equal((await (rl.hitFast('flush', rule, 1) as Promise<RateLimitResult>)).remaining, 8)
  })

  t.test('hitFast with a callback follows the failure policy', async t => {
    const down = r.client({ lazyConnect: true, enableOfflineQueue: false })
    const strict = new RateLimiter(down, { blockCache: false })
    const rule = strict.rule({ limit: 10, window: 60_000 })
    await t.rejects(hitCb(strict, 'x', rule).done, { code: 'FRP_RATE_LIMIT_STORE' })
    const lenient = new RateLimiter(down, { blockCache: false, onRedisError: 'allow' })
    const allowed = await hitCb(lenient, 'x', rule).done
    t.strictSame([allowed.allowed, allowed.degraded], [true, true])
    // A closed connection fails before any command is sent, in the same tick.
    const gone = r.client({ lazyConnect: true })
    gone.disconnect()
    const closed = hitCb(new RateLimiter(gone, { blockCache: false }), 'x', rule)
    t.equal(closed.sync, true)
    await t.rejects(closed.done, { code: 'FRP_RATE_LIMIT_STORE' })
    t.equal((await hitCb(new RateLimiter(gone, { blockCache: false, onRedisError: 'allow' }), 'x', rule).done).degraded, true)
  })
})

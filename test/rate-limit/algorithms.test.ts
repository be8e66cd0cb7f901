// Core behaviour of every algorithm on every topology: exact limits, rejected requests consume
// nothing, cost, peek, reset, several policies checked atomically.
import t from 'tap'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import { ALGORITHMS } from '../../lib/rate-limit/policy.js'
import { startTopology, coreTopologies, eventually } from '../helpers/redis.js'

for (const topology of coreTopologies()) {
  t.test(`algorithms on ${topology}`, async t => {
    const handle = await startTopology(t, topology)
    const redis = handle.client()

    for (const algorithm of ALGORITHMS) {
      t.test(`${algorithm}: allows exactly limit requests in a window, then rejects with a retry time`, async t => {
        const rl = new RateLimiter(redis, { blockCache: false })
        const rule = rl.rule({ limit: 5, window: 60_000, algorithm })
        const results = []
        for (let i = 0; i < 8; i++) results.push(await rl.hit(`exact-${algorithm}`, rule))
        t.strictSame(results.map(r => r.allowed), [true, true, true, true, true, false, false, false])
        t.strictSame(results.slice(0, 5).map(r => r.remaining), [4, 3, 2, 1, 0])
        t.equal(results[5].limit, 5)
        t.ok(results[5].retryAfterMs > 0 && results[5].retryAfterMs <= 120_000, `retryAfterMs ${results[5].retryAfterMs}`)
        t.ok(results[4].resetMs > 0 && results[4].resetMs <= 120_000, `resetMs ${results[4].resetMs}`)
        t.equal(results[0].retryAfterMs, 0)
        t.equal(results[0].degraded, false)
        t.equal(results[0].policy.name, '5-per-1m')
      })

      t.test(`${algorithm}: a rejected request consumes nothing, so a smaller cost still fits`, async t => {
        const rl = new RateLimiter(redis, { blockCache: false })
        const rule = rl.rule({ limit: 5, window: 60_000, algorithm })
        t.equal((await rl.hit(`cost-${algorithm}`, rule, 3)).allowed, true)
        t.equal((await rl.hit(`cost-${algorithm}`, rule, 3)).allowed, false)
        t.equal((await rl.hit(`cost-${algorithm}`, rule, 3)).allowed, false)
        const two = await rl.hit(`cost-${algorithm}`, rule, 2)
        t.equal(two.allowed, true)
        t.equal(two.remaining, 0)
        t.equal((await rl.hit(`cost-${algorithm}`, rule, 1)).allowed, false)
      })

      t.test(`${algorithm}: peek reads without consuming and reset forgets the key`, async t => {
        const rl = new RateLimiter(redis)
        const rule = rl.rule({ limit: 2, window: 60_000, algorithm })
        const before = await rl.peek(`peek-${algorithm}`, rule)
        t.equal(before.allowed, true)
        t.equal(before.remaining, 2)
        await rl.hit(`peek-${algorithm}`, rule)
        await rl.hit(`peek-${algorithm}`, rule)
        const full = await rl.peek(`peek-${algorithm}`, rule)
        t.equal(full.allowed, false)
        t.equal(full.remaining, 0)
        t.equal((await rl.hit(`peek-${algorithm}`, rule)).allowed, false)
        await rl.reset(`peek-${algorithm}`)
        t.equal((await rl.hit(`peek-${algorithm}`, rule)).allowed, true, 'allowed again after reset (block cache cleared too)')
      })

      t.test(`${algorithm}: several policies pass only together, and a rejection consumes from none`, async t => {
        const rl = new RateLimiter(redis, { blockCache: false })
        const rule = rl.rule([{ limit: 3, window: 60_000, algorithm, name: 'short' }, { limit: 5, window: 3_600_000, algorithm, name: 'long' }])
        const key = `multi-${algorithm}`
        const first = await rl.hit(key, rule)
        t.equal(first.policy.name, 'short', 'the policy with least remaining binds')
        t.equal(first.remaining, 2)
        await rl.hit(key, rule)
        await rl.hit(key, rule)
        const rejected = await rl.hit(key, rule)
        t.equal(rejected.allowed, false)
        t.equal(rejected.policy.name, 'short')
        // Had the rejection counted against 'long', it would now show 1 left instead of 2. Read
        // through another several-policy rule sharing 'long' (its other policy never binds): the
        // policies of several-policy rules on one key share a hash, a field per policy.
        const longBinds = await rl.peek(key, rl.rule([{ limit: 5, window: 3_600_000, algorithm, name: 'long' }, { limit: 100, window: 60_000, algorithm }]))
        t.equal(longBinds.policy.name, 'long')
        t.equal(longBinds.remaining, 2)
      })
    }

    t.test('gcra: burst bounds an instant burst and tokens refill at limit per window', async t => {
      const rl = new RateLimiter(redis, { blockCache: false })
      const rule = rl.rule({ limit: 10, window: 1000, burst: 3, algorithm: 'gcra' })
      const burst = []
      for (let i = 0; i < 5; i++) burst.push((await rl.hit('gcra-refill', rule)).allowed)
      t.strictSame(burst.filter(Boolean).length, 3)
      const rejected = await rl.hit('gcra-refill', rule)
      t.equal(rejected.allowed, false)
      t.ok(rejected.retryAfterMs > 0 && rejected.retryAfterMs <= 100, `one token per 100 ms, retry ${rejected.retryAfterMs}`)
      // The refill itself: once the retry time has passed, a hit is allowed again.
      const allowed = await eventually(async () => (await rl.hit('gcra-refill', rule)).allowed, { ms: 10_000, every: 20, what: 'a refilled token' })
      t.equal(allowed, true, 'a token refilled')
    })

    t.test('sliding-window members are unique: a burst of concurrent hits within one microsecond range all count', async t => {
      const rl = new RateLimiter(redis, { blockCache: false })
      const rule = rl.rule({ limit: 1000, window: 60_000 })
      await Promise.all(Array.from({ length: 200 }, () => rl.hit('unique', rule, 2)))
      t.equal(await redis.zcard(rl.keyOf('unique', 'sliding-window')), 400)
      t.equal((await rl.peek('unique', rule)).remaining, 600)
    })

    t.test('sliding-window memory is bounded by the limit', async t => {
      const rl = new RateLimiter(redis, { blockCache: false })
      const rule = rl.rule({ limit: 20, window: 60_000 })
      for (let i = 0; i < 60; i++) await rl.hit('bounded', rule)
      t.equal(await redis.zcard(rl.keyOf('bounded', 'sliding-window')), 20)
    })

    t.test('keys expire when idle', async t => {
      const rl = new RateLimiter(redis, { blockCache: false })
      for (const algorithm of ALGORITHMS) {
        const rule = rl.rule({ limit: 5, window: 60_000, algorithm })
        await rl.hit('ttl', rule)
        const ttl = await redis.pttl(rl.keyOf('ttl', rule))
        t.ok(ttl > 0 && ttl <= 120_000, `${algorithm} pttl ${ttl}`)
      }
    })
  })
}

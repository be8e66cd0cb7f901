// The local block cache rejects a key Redis has just rejected without a round trip, until its
// retry time; reset() clears it.
import t from 'tap'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import { startRedis } from '../helpers/redis.js'
import { scriptCalls } from '../helpers/command-stats.js'

t.test('block cache', async t => {
  const r = await startRedis(t)
  const redis = r.client()

  t.test('a rejected key is rejected locally, with a shrinking retry time, until it may pass', async t => {
    const rl = new RateLimiter(redis)
    const rule = rl.rule({ limit: 2, window: 400, algorithm: 'sliding-window' })
    await rl.hit('hot', rule)
    await rl.hit('hot', rule)
    const first = await rl.hit('hot', rule)
    t.equal(first.allowed, false)
    const before = await scriptCalls(r.admin)
    const cached = []
    for (let i = 0; i < 20; i++) cached.push(await rl.hit('hot', rule))
    t.equal(await scriptCalls(r.admin), before, 'no script call while blocked')
    t.ok(cached.every(c => !c.allowed && c.retryAfterMs > 0 && c.retryAfterMs <= first.retryAfterMs))
    t.equal(cached[0].policy, first.policy)
    // Once the retry time has passed the key goes to Redis again and is allowed.
    await t.resolves(async () => {
      const { eventually } = await import('../helpers/redis.js')
      await eventually(async () => (await rl.hit('hot', rule)).allowed, { what: 'allowed after the block' })
    })
  })

  t.test('a smaller cost than the rejected one still asks Redis', async t => {
    const rl = new RateLimiter(redis)
    const rule = rl.rule({ limit: 5, window: 60_000 })
    await rl.hit('costly', rule, 3)
    t.equal((await rl.hit('costly', rule, 3)).allowed, false)
    t.equal((await rl.hit('costly', rule, 2)).allowed, true)
  })

  t.test('reset() clears the local block', async t => {
    const rl = new RateLimiter(redis)
    const rule = rl.rule({ limit: 1, window: 60_000, algorithm: 'fixed-window' })
    await rl.hit('blocked', rule)
    t.equal((await rl.hit('blocked', rule)).allowed, false)
    await rl.reset('blocked')
    t.equal((await rl.hit('blocked', rule)).allowed, true)
  })

  t.test('blockCache: false always asks Redis', async t => {
    const rl = new RateLimiter(redis, { blockCache: false })
    const rule = rl.rule({ limit: 1, window: 60_000 })
    await rl.hit('uncached', rule)
    await rl.hit('uncached', rule)
    const before = await scriptCalls(r.admin)
    await rl.hit('uncached', rule)
    t.equal(await scriptCalls(r.admin), before + 1)
  })

  t.test('the cache holds at most maxKeys keys', async t => {
    const rl = new RateLimiter(redis, { blockCache: { maxKeys: 3 } })
    const rule = rl.rule({ limit: 1, window: 60_000 })
    for (let i = 0; i < 6; i++) { await rl.hit(`many${i}`, rule); await rl.hit(`many${i}`, rule) }
    const before = await scriptCalls(r.admin)
    await rl.hit('many0', rule)
    t.equal(await scriptCalls(r.admin), before + 1, 'the oldest block was evicted')
    await rl.hit('many5', rule)
    t.equal(await scriptCalls(r.admin), before + 1, 'the newest is still cached')
  })
})

// Issue 22 (Redis bytes per rate-limited client): pins the representation that makes a client's
// state cost no more than @fastify/rate-limit's one plain counter key. For gcra, fixed-window and
// sliding-counter: one Redis key per client, a string holding an integer (OBJECT ENCODING int),
// a TTL on every key, and the hook's key no longer than `fastify-rate-limit-<ip>`.
import t from 'tap'
import type { Redis } from 'ioredis'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import { ALGORITHMS, normalizeRule } from '../../lib/rate-limit/policy.js'
import { buildApp } from '../helpers/rate-limit.js'
import { eventually, startRedis } from '../helpers/redis.js'

async function keysOf (redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    keys.push(...batch)
  } while (cursor !== '0')
  return keys.sort()
}

t.test('issue 22: rate-limit memory per client', async t => {
  const r = await startRedis(t)
  const redis = r.client()

  for (const limit of [10, 100, 1000]) {
    t.test(`limit ${limit}: every algorithm keeps one key per client, each with a TTL`, async t => {
      for (const algorithm of ALGORITHMS) {
        const prefix = `mem${limit}${algorithm}`
        const rl = new RateLimiter(redis, { blockCache: false, prefix })
        const rule = normalizeRule('policies', { limit, window: 60_000, algorithm }, { scoped: true })
        const clients = ['10.0.0.1', '10.0.0.2', '10.0.0.3']
        for (let i = 0; i < Math.min(limit, 100); i++) await Promise.all(clients.map(c => rl.hit(`global|${c}`, rule)))
        const keys = await keysOf(redis, `${prefix}:*`)
        t.strictSame(keys, clients.map(c => rl.keyOf(`global|${c}`, algorithm)), `${algorithm}: one key per client`)
        for (const key of keys) {
          const ttl = await redis.pttl(key)
          t.ok(ttl > 0 && ttl <= 120_000, `${algorithm}: ${key} has a TTL (${ttl} ms)`)
          if (algorithm === 'sliding-window') continue
          t.equal(await redis.type(key), 'string', `${algorithm}: a string`)
          t.equal(await redis.call('OBJECT', 'ENCODING', key), 'int', `${algorithm}: holding an integer`)
        }
      }
    })
  }

  t.test('sliding-counter: a carried previous count stays one integer with a TTL', async t => {
    const rl = new RateLimiter(redis, { blockCache: false, prefix: 'mem-roll' })
    const rule = rl.rule({ limit: 1000, window: 200, algorithm: 'sliding-counter' })
    const key = rl.keyOf('c', rule)
    // Hit until a write lands in a later window than the first (the value then leads with p).
    await eventually(async () => {
      await rl.hit('c', rule)
      return ((await redis.get(key)) ?? '').length > 10
    }, { ms: 10_000, every: 30, what: 'a window roll' })
    t.equal(await redis.call('OBJECT', 'ENCODING', key), 'int')
    t.ok(await redis.pttl(key) > 0, 'a TTL')
    t.equal((await keysOf(redis, 'mem-roll:*')).length, 1, 'one key')
  })

  t.test('the hook keys a client by a key no longer than @fastify/rate-limit\'s, and costs no more', async t => {
    for (const algorithm of ALGORITHMS) {
      const app = await buildApp(redis, { limit: 100, window: 60_000, algorithm }, app => {
        app.get('/', async () => ({ ok: true }))
      }, { trustProxy: true })
      t.teardown(() => app.close())
      const ip = '203.0.113.45'
      for (let i = 0; i < 5; i++) t.equal((await app.inject({ url: '/', headers: { 'x-forwarded-for': ip } })).statusCode, 200)
      if (algorithm === 'sliding-window') continue
      const ours = app.rateLimit.limiter.keyOf(`global|${ip}`, algorithm)
      t.equal(ours.length, 'frp:rl:{global|}:g'.length + ip.length)
      const anchor = `fastify-rate-limit-${ip}`
      t.ok(ours.length <= anchor.length, `${ours} is no longer than ${anchor}`)
      // The anchor's key as its store leaves it: a count, with the window as TTL.
      await redis.set(anchor, 5, 'PX', 60_000)
      const [mine, theirs] = [Number(await redis.call('MEMORY', 'USAGE', ours, 'SAMPLES', '0')), Number(await redis.call('MEMORY', 'USAGE', anchor, 'SAMPLES', '0'))]
      t.ok(mine <= theirs, `${algorithm}: MEMORY USAGE ${mine} <= the anchor's ${theirs}`)
      await redis.del(ours, anchor)
    }
  })
})

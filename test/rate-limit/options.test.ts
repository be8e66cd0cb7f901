// Bad options fail at registration (or at route declaration) with a message naming the option.
import t from 'tap'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { redisRateLimit, type RedisRateLimitOptions } from '../../plugins/rate-limit.js'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import { ipKey } from '../../lib/rate-limit/ip.js'
import { startRedis } from '../helpers/redis.js'

t.test('options', async t => {
  const redis = (await startRedis(t)).client()

  const register = async (opts: unknown): Promise<void> => {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(fastifyRedis, { client: redis, closeClient: false })
    await app.register(redisRateLimit, opts as RedisRateLimitOptions)
    await app.ready()
  }

  const bad: Array<[string, unknown, RegExp]> = [
    ['limit <= 0', { limit: 0, window: 1000 }, /"redisRateLimit.limit": must be between 1/],
    ['window <= 0', { limit: 5, window: -1 }, /"redisRateLimit.window": must be between 1/],
    ['non-integer limit', { limit: 1.5, window: 1000 }, /"redisRateLimit.limit": must be an integer/],
    ['missing window', { limit: 5 }, /"redisRateLimit.window": is required/],
    ['unknown algorithm', { limit: 5, window: 1000, algorithm: 'leaky' }, /"redisRateLimit.algorithm": must be one of 'sliding-window', 'sliding-counter', 'gcra', 'fixed-window'/],
    ['cost > limit', { limit: 5, window: 1000, cost: 6 }, /"redisRateLimit.cost": 6 exceeds the smallest limit/],
    ['burst on a non-gcra algorithm', { limit: 5, window: 1000, burst: 9 }, /"redisRateLimit.burst": applies to the 'gcra' algorithm only/],
    ['mixed algorithms in one rule', { policies: [{ limit: 5, window: 1000 }, { limit: 9, window: 60_000, algorithm: 'gcra' }] }, /"redisRateLimit.policies\[1\].algorithm": every policy of one rule must use the same algorithm/],
    ['unknown option', { limit: 5, window: 1000, windowMs: 1000 }, /"redisRateLimit.windowMs": unknown option/],
    ['unknown hook', { limit: 5, window: 1000, hook: 'onSend' }, /"redisRateLimit.hook": must be one of/],
    ['bad onRedisError', { limit: 5, window: 1000, onRedisError: 'ignore' }, /"redisRateLimit.onRedisError": must be one of 'allow', 'deny'/],
    ['bad allowList', { limit: 5, window: 1000, allowList: 'me' }, /"redisRateLimit.allowList": must be an array of keys, IP addresses and CIDR ranges, or a function/],
    ['bad insurance', { limit: 5, window: 1000, insurance: { instances: 0 } }, /"insurance.instances": must be between 1/],
    ['bad keyGenerator', { limit: 5, window: 1000, keyGenerator: 'ip' }, /"redisRateLimit.keyGenerator": must be a function/],
    ['bad batch', { limit: 5, window: 1000, batch: 'on' }, /"batch": must be a boolean or \{ maxChecks \}/],
    ['bad batch.maxChecks', { limit: 5, window: 1000, batch: { maxChecks: 0 } }, /"batch.maxChecks": must be between 1/]
  ]
  for (const [what, opts, message] of bad) {
    t.test(`${what} fails at registration naming the option`, async t => {
      await t.rejects(register(opts), { code: 'FRP_INVALID_OPTION', message })
    })
  }

  t.test('batch reaches the core: on by default, off with batch: false', async t => {
    for (const [batch, on] of [[undefined, true], [false, false], [{ maxChecks: 8 }, true]] as const) {
      const app = Fastify()
      t.teardown(() => app.close())
      await app.register(fastifyRedis, { client: redis, closeClient: false })
      await app.register(redisRateLimit, { limit: 5, window: 1000, batch })
      await app.ready()
      t.equal(app.rateLimit.limiter.batching, on, String(JSON.stringify(batch)))
    }
  })

  t.test('an invalid route policy fails when the route is declared', async t => {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(fastifyRedis, { client: redis, closeClient: false })
    await app.register(redisRateLimit, { limit: 5, window: 1000 })
    t.throws(() => app.get('/x', { config: { rateLimit: { limit: 0, window: 1000 } } }, async () => 'x'), /config.rateLimit of GET \/x.limit": must be between 1/)
    t.throws(() => app.get('/y', { config: { rateLimit: { limit: 5, window: 1000, cost: 9 } } }, async () => 'y'), /cost": 9 exceeds the smallest limit/)
  })

  t.test('an invalid policy on a route declared before registration answers 500 at its first request', async t => {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(fastifyRedis, { client: redis, closeClient: false })
    app.get('/early', { config: { rateLimit: { limit: -1, window: 1000 } } }, async () => 'x')
    await app.register(redisRateLimit, { limit: 5, window: 1000 })
    const res = await app.inject('/early')
    t.equal(res.statusCode, 500)
    t.equal(res.json().code, 'FRP_INVALID_OPTION')
  })

  t.test('the core rejects bad constructor options and bad calls', async t => {
    t.throws(() => new RateLimiter(redis, { commandTimeout: 0 }), /"commandTimeout": must be between 1/)
    t.throws(() => new RateLimiter({} as never), /"redis": must be an ioredis/)
    const rl = new RateLimiter(redis)
    await t.rejects(rl.hit('k'), /no policies given/)
    await t.rejects(rl.hit('', { limit: 1, window: 1000 }), { code: 'FRP_INVALID_KEY' })
    await t.rejects(rl.hit('k', { limit: 1, window: 1000 }, 0), /"cost": must be a positive integer/)
  })

  // Regression (issue 18 item 5): keys were written non-canonically ('::1' gave '0:0:0:0::/64').
  t.test('ipKey groups IPv6 by /64, written canonically (RFC 5952), and leaves IPv4 alone', async t => {
    t.equal(ipKey('203.0.113.9'), '203.0.113.9')
    t.equal(ipKey('::ffff:203.0.113.9'), '203.0.113.9')
    t.equal(ipKey('::FFFF:203.0.113.9'), '203.0.113.9')
    t.equal(ipKey('2001:db8:0:1:2:3:4:5'), '2001:db8:0:1::/64')
    t.equal(ipKey('2001:DB8::1'), '2001:db8::/64')
    t.equal(ipKey('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::/64', 'every spelling of one address gives one key')
    t.equal(ipKey('2001:0db8:00aa:0001::1'), '2001:db8:aa:1::/64')
    t.equal(ipKey('2001:0:0:1::'), '2001:0:0:1::/64', 'a zero run inside the prefix is not the one compressed')
    t.equal(ipKey('::1'), '::/64')
    t.equal(ipKey('0:0:0:0:0:0:0:1'), '::/64')
    t.equal(ipKey('fe80::1%eth0'), 'fe80::/64')
    t.equal(ipKey('1::2:3:4:5:6.7.8.9'), '1:0:2:3::/64', 'a dotted IPv4 tail counts as two groups')
  })
})

// The rate limiter's Redis bound is `commandTimeout`, as in every pattern. Its old name `timeout`
// still works, with one FRP_DEP001 deprecation warning per process; giving both is an error that
// names them.
import t from 'tap'
import { once } from 'node:events'
import Fastify from 'fastify'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import { redisRateLimit } from '../../plugins/rate-limit.js'
import { buildApp } from '../helpers/rate-limit.js'
import { within } from '../helpers/deferred.js'
import { startRedis } from '../helpers/redis.js'

const policy = { limit: 5, window: 60_000 }

// First in this file (each test file is its own process): the warning has not been emitted yet.
t.test('the deprecated `timeout` warns once (FRP_DEP001) and still bounds the calls', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ commandTimeout: undefined })
  const warnings: Error[] = []
  const onWarning = (w: Error): void => { warnings.push(w) }
  process.on('warning', onWarning)
  t.teardown(() => { process.off('warning', onWarning) })

  const first = within(once(process, 'warning'), 10_000, 'the deprecation warning')
  const a = new RateLimiter(client, { timeout: 100, onRedisError: 'throw', blockCache: false, batch: false })
  await first
  const b = new RateLimiter(client, { timeout: 100, onRedisError: 'throw', blockCache: false, batch: false })
  // process.emitWarning emits on a later tick: let a second warning (there must be none) arrive.
  await new Promise(resolve => setImmediate(resolve))
  const ours = warnings.filter(w => (w as { code?: string }).code === 'FRP_DEP001')
  t.equal(ours.length, 1, 'one warning for two limiters')
  t.match(ours[0], { name: 'DeprecationWarning', message: /"timeout".*"commandTimeout"/ })

  t.equal(a.commandTimeout, 100, 'the alias sets commandTimeout')
  t.equal(b.timeout, 100, 'the deprecated getter reads it')
  t.equal((await a.hit('k', policy)).allowed, true)
  await redis.pause(3000) // far longer than the 100 ms bound
  const err = await a.hit('k', policy).then(() => null, (e: unknown) => e) as Error & { code?: string, cause?: { code?: string } }
  t.match(err, { code: 'FRP_RATE_LIMIT_STORE', statusCode: 503 })
  t.equal(err.cause?.code, 'FRP_REDIS_TIMEOUT', 'the bound\'s coded timeout is the cause')
})

t.test('commandTimeout bounds every check on a paused Redis', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ commandTimeout: undefined })
  const rl = new RateLimiter(client, { commandTimeout: 100, onRedisError: 'throw', blockCache: false })
  t.equal(rl.commandTimeout, 100)
  t.equal(rl.options.commandTimeout, 100)
  await rl.hit('warm', policy)
  await redis.pause(3000) // far longer than the 100 ms bound
  const results = await Promise.allSettled([rl.hit('a', policy), rl.peek('a', policy), rl.reset('a'), rl.hitFast('b', rl.rule(policy), 1)])
  for (const r of results) {
    t.equal(r.status, 'rejected')
    t.match((r as PromiseRejectedResult).reason, { code: 'FRP_RATE_LIMIT_STORE', cause: { code: 'FRP_REDIS_TIMEOUT' } })
  }
})

t.test('the plugin: commandTimeout bounds a request; both names together are refused, naming them', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ commandTimeout: undefined })
  const app = await buildApp(client, { ...policy, onRedisError: 'deny', commandTimeout: 100 })
  t.teardown(() => app.close())
  t.equal((await app.inject('/')).statusCode, 200)
  t.equal(app.rateLimit.limiter.commandTimeout, 100)
  await redis.pause(3000)
  const res = await app.inject('/')
  t.equal(res.statusCode, 503, 'deny: answered within the bound, not after the pause')
  t.equal(res.json().code, 'FRP_RATE_LIMIT_STORE')

  const both = Fastify()
  t.teardown(() => both.close())
  await t.rejects(async () => { await both.register(redisRateLimit, { client, ...policy, timeout: 100, commandTimeout: 100 }).ready() },
    { code: 'FRP_INVALID_OPTION', message: /"redisRateLimit\.timeout": is the deprecated name of "redisRateLimit\.commandTimeout"/ })
})

t.test('the core refuses both names too, and a bad value under either name', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  t.throws(() => new RateLimiter(client, { timeout: 100, commandTimeout: 200 }), { code: 'FRP_INVALID_OPTION', message: /"timeout": is the deprecated name of "commandTimeout"/ })
  t.throws(() => new RateLimiter(client, { commandTimeout: 0 }), /"commandTimeout": must be between 1/)
  t.throws(() => new RateLimiter(client, { timeout: -1 }), /"timeout": must be between 1/)
})

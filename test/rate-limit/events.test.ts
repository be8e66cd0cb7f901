// RateLimiter's typed events: 'decision' for every check (who answered, allowed, counted, the
// policy), 'error' when Redis fails (the failure policy still answers).
import t from 'tap'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import type { RateLimitDecision } from '../../lib/rate-limit/events.js'
import { startRedis } from '../helpers/redis.js'

const policy = { limit: 2, window: 60_000, name: 'two-a-minute' }

t.test('decision: answered by Redis, by the block cache, and by peek (not counted)', async t => {
  const redis = await startRedis(t)
  const rl = new RateLimiter(redis.client(), { prefix: 'ev' })
  const decisions: RateLimitDecision[] = []
  rl.on('decision', d => { decisions.push(d) })
  const rule = rl.rule(policy)

  await rl.hit('k', policy)
  await rl.hitFast('k', rule, 1)
  await rl.hit('k', policy) // rejected: the key enters the block cache
  await rl.hit('k', policy) // answered by the block cache, no round trip
  await new Promise<void>((resolve, reject) => { rl.hitFast('k', rule, 1, err => { if (err !== null) reject(err); else resolve() }) })
  await rl.peek('other', policy)

  t.match(decisions.map(d => [d.key, d.allowed, d.counted, d.source, d.policy.name]), [
    ['k', true, true, 'redis', 'two-a-minute'],
    ['k', true, true, 'redis', 'two-a-minute'],
    ['k', false, true, 'redis', 'two-a-minute'],
    ['k', false, true, 'block-cache', 'two-a-minute'],
    ['k', false, true, 'block-cache', 'two-a-minute'],
    ['other', true, false, 'redis', 'two-a-minute']
  ])
  t.equal(decisions[0].result.remaining, 1, 'the full result rides along')

  // Typed listeners: the argument is a RateLimitDecision; unknown events do not compile.
  rl.on('decision', d => { const allowed: boolean = d.allowed; t.type(allowed, 'boolean') })
  // @ts-expect-error 'decided' is not an event of RateLimiter
  rl.on('decided', () => {})
})

t.test('Redis down: error carries the coded failure, and decision says which failure policy answered', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const limiters = {
    insurance: new RateLimiter(client, { prefix: 'ev', onRedisError: 'allow', commandTimeout: 200 }),
    'fail-open': new RateLimiter(client, { prefix: 'ev', onRedisError: 'allow', insurance: false, commandTimeout: 200 }),
    'fail-closed': new RateLimiter(client, { prefix: 'ev', onRedisError: 'deny', commandTimeout: 200 })
  }
  await limiters.insurance.hit('warm', policy)
  await redis.kill()
  for (const [source, rl] of Object.entries(limiters)) {
    const errors: Error[] = []
    const decisions: RateLimitDecision[] = []
    rl.on('error', err => { errors.push(err) })
    rl.on('decision', d => { decisions.push(d) })
    const result = await rl.hit('k', policy)
    t.equal(result.degraded, true)
    t.equal(decisions.length, 1)
    t.match(decisions[0], { key: 'k', source, allowed: source !== 'fail-closed', counted: true })
    t.equal(errors.length, 1, `${source}: one error event`)
    t.match(errors[0], { code: 'FRP_RATE_LIMIT_STORE', cause: { code: /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/ } })
  }
  // onRedisError 'throw': the caller gets the same error the listener saw.
  const throwing = new RateLimiter(client, { prefix: 'ev', commandTimeout: 200 })
  let seen: Error | null = null
  throwing.on('error', err => { seen = err })
  const err = await throwing.hit('k', policy).then(() => null, (e: unknown) => e)
  t.equal(err, seen)
})

t.test('no listener: a failing Redis does not throw "Unhandled error" (no error event emitted)', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const rl = new RateLimiter(client, { onRedisError: 'allow', commandTimeout: 200 })
  await redis.kill()
  t.equal((await rl.hit('k', policy)).degraded, true)
})

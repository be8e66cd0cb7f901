// Documented outcomes of using()/release() when things go wrong (docs/lock.md, `using` and Failure
// policy): a lock lost while fn throws surfaces FRP_LOCK_LOST with fn's error as its cause; a
// release that fails because Redis is down is not an error of using(); a direct release on a dead
// or stalled Redis rejects with a coded FRP_REDIS_* error instead of hanging.
import { test } from 'tap'
import { Locker } from '../../lib/lock/locker.js'
import type { Lease } from '../../lib/lock/lease.js'
import { startRedis, eventually } from '../helpers/redis.js'

const REDIS_DOWN = /^FRP_REDIS_(TIMEOUT|UNAVAILABLE)$/

test('lock lost while fn throws: using() rejects with FRP_LOCK_LOST whose cause is fn\'s error', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const locker = new Locker(client, { prefix: 'fo1' })
  t.teardown(() => locker.close())

  await t.test('extension refused (another owner took the key)', async t => {
    const key = locker.redisKey('refused')
    const boom = new Error('fn failed after the loss')
    const run = locker.using('refused', async signal => {
      await client.set(key, 'intruder', 'PX', 60_000)
      await eventually(() => signal.aborted, { ms: 5000, what: 'the refused extension to abort the signal' })
      throw boom
    }, { ttl: 200 })
    const err = await run.then(() => null, (e: unknown) => e) as Error & { code?: string, statusCode?: number }
    t.equal(err?.code, 'FRP_LOCK_LOST', 'the loss, not fn\'s error, is what surfaces')
    t.equal(err?.statusCode, 409)
    t.equal(err?.cause, boom, 'fn\'s error is kept as the cause')
    t.equal(await client.get(key), 'intruder', 'the other owner\'s lock is untouched')
    await client.del(key)
  })

  await t.test('deadline passed (no auto-extension)', async t => {
    const boom = new TypeError('late failure')
    let seen: Lease | null = null
    const run = locker.using('deadline', async (signal, lease) => {
      seen = lease
      await eventually(() => signal.aborted, { ms: 5000, what: 'the lease deadline' })
      throw boom
    }, { ttl: 150, autoExtend: false })
    const err = await run.then(() => null, (e: unknown) => e) as Error & { code?: string }
    t.equal(err?.code, 'FRP_LOCK_LOST')
    t.equal(err?.cause, boom)
    t.equal((seen as Lease | null)?.held, false)
  })

  await t.test('fn throws without a loss: its own error is rethrown (no cause wrapping)', async t => {
    const boom = new Error('plain failure')
    const err = await locker.using('plain', () => { throw boom }, { ttl: 5000 }).then(() => null, (e: unknown) => e)
    t.equal(err, boom)
    t.equal(await client.exists(locker.redisKey('plain')), 0, 'released')
  })
})

test('release with Redis stalled: using() still returns fn\'s result, and the lock ends free', async t => {
  const redis = await startRedis(t)
  // The client would wait 5 s: the Locker's own commandTimeout (1500 ms) is the bound that counts.
  const client = redis.client({ commandTimeout: 5000 })
  const locker = new Locker(client, { prefix: 'fo2', commandTimeout: 1500 })
  t.teardown(() => locker.close())
  let held = 0
  const result = await locker.using('stalled', async (_signal, lease) => {
    held = lease.fencingToken
    await redis.pause(4000) // every command, the release included, stalls from here
    return 'work done'
  }, { ttl: 8000 })
  t.equal(result, 'work done', 'a failed release is not an error of using()')
  // The release that timed out may still land when Redis resumes; if not, the TTL frees the key.
  const next = await locker.acquire('stalled', { ttl: 5000, waitTimeout: 20_000 })
  t.ok(next.fencingToken > held, 'the lock is free again, for a later holder')
  await next.release()
})

test('release with Redis killed: using() still returns fn\'s result', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ commandTimeout: 5000, maxRetriesPerRequest: 20 })
  const locker = new Locker(client, { prefix: 'fo3', commandTimeout: 1500 })
  t.teardown(() => locker.close())
  const result = await locker.using('dead', async () => {
    await redis.kill()
    return 42
  }, { ttl: 20_000 })
  t.equal(result, 42)
})

test('lease.release() on a stalled Redis: coded FRP_REDIS_TIMEOUT and the lease stays held', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ commandTimeout: 5000 })
  const locker = new Locker(client, { prefix: 'fo4', commandTimeout: 1500 })
  t.teardown(() => locker.close())
  const lease = await locker.acquire('r', { ttl: 8000 })
  await redis.pause(4000)
  await t.rejects(lease.release(), { code: 'FRP_REDIS_TIMEOUT', statusCode: 503 })
  t.equal(lease.held, true, 'the lease is unchanged by the failed release')
  t.equal(lease.signal.aborted, false)
  // Freed by the late release or at the TTL: never stuck.
  const next = await locker.acquire('r', { ttl: 5000, waitTimeout: 20_000 })
  await next.release()
})

test('release on a dead Redis: lease.release() and locker.release() reject with a coded error, no hang', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ commandTimeout: 5000, maxRetriesPerRequest: 20 })
  const locker = new Locker(client, { prefix: 'fo5', commandTimeout: 1500 })
  t.teardown(() => locker.close())
  const lease = await locker.acquire('r', { ttl: 30_000 })
  await redis.kill()
  await t.rejects(lease.release(), { code: REDIS_DOWN, statusCode: 503 })
  t.equal(lease.held, true)
  await t.rejects(locker.release('r', lease.token), { code: REDIS_DOWN, statusCode: 503 })
})

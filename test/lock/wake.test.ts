// Waiting for a held lock: woken by the release itself (pub/sub from the release script), by the
// holder's expiry when no release comes, and after a subscriber disconnect; never by polling.
import { test } from 'tap'
import { Locker } from '../../lib/lock/locker.js'
import { startRedis, startTopology, topologies, eventually, type Teardown, type TestRedis } from '../helpers/redis.js'
import { commandCounts, scriptCalls } from '../helpers/command-stats.js'

/** The Lockers' command timeout: the 1 s default is for production; a loaded CI machine needs more. */
const SLOW_MACHINE = 10_000

/** A private Redis and two Lockers on it (two instances of one app), closed with the test. */
async function twoLockers (t: Teardown, prefix: string): Promise<{ redis: TestRedis, first: Locker, second: Locker }> {
  const redis = await startRedis(t)
  const first = new Locker(redis.client(), { prefix, commandTimeout: SLOW_MACHINE })
  const second = new Locker(redis.client(), { prefix, commandTimeout: SLOW_MACHINE })
  t.teardown(() => Promise.all([first.close(), second.close()]))
  return { redis, first, second }
}

/** Lets `ms` pass: only for windows in which the test shows that nothing happens. */
const observe = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

for (const topology of topologies()) {
  test(topology, async t => {
    const h = await startTopology(t, topology)

    await t.test('a waiter in another instance acquires as soon as the holder releases, long before the TTL', async t => {
      const holderSide = new Locker(h.client(), { prefix: 'w1', commandTimeout: SLOW_MACHINE })
      const waiterSide = new Locker(h.client(), { prefix: 'w1', commandTimeout: SLOW_MACHINE })
      t.teardown(() => Promise.all([holderSide.close(), waiterSide.close()]))
      const held = await holderSide.acquire('invoice', { ttl: 60_000 })
      // waitTimeout < TTL: only the release notification (or the re-check after subscribing) can
      // hand the waiter the lock in time.
      const waiting = waiterSide.acquire('invoice', { ttl: 60_000, waitTimeout: 20_000 })
      await held.release()
      const got = await waiting
      t.ok(got.fencingToken > held.fencingToken)
      await got.release()
    })

    await t.test('waiters on the same key take turns, each woken by the previous release', async t => {
      const lockers = [0, 1, 2].map(() => new Locker(h.client(), { prefix: 'w2', commandTimeout: SLOW_MACHINE }))
      t.teardown(() => Promise.all(lockers.map(l => l.close())))
      let inside = 0
      let maxInside = 0
      const order: number[] = []
      await Promise.all(Array.from({ length: 9 }, async (_, i) => {
        const lease = await lockers[i % 3].acquire('shared', { ttl: 60_000, waitTimeout: 30_000 })
        inside++
        maxInside = Math.max(maxInside, inside)
        order.push(lease.fencingToken)
        await new Promise(resolve => setImmediate(resolve)) // let the other waiters run meanwhile
        inside--
        await lease.release()
      }))
      t.equal(maxInside, 1, 'never two holders at once')
      t.strictSame([...order].sort((a, b) => a - b), order, 'fencing tokens in the order of acquisition')
      t.equal(order.length, 9)
    })

    await t.test('a holder that dies without releasing is replaced at its expiry', async t => {
      const locker = new Locker(h.client(), { prefix: 'w3', commandTimeout: SLOW_MACHINE })
      t.teardown(() => locker.close())
      const crashed = await locker.acquire('cron', { ttl: 300 }) // never released: the holder "crashed"
      const next = await locker.acquire('cron', { ttl: 5000, waitTimeout: 10_000 })
      t.ok(next.fencingToken > crashed.fencingToken, 'the waiter woke at the expiry without any notification')
      await next.release()
    })
  })
}

test('a waiter does not poll Redis while the lock is held', async t => {
  const { redis, first: holder, second: waiter } = await twoLockers(t, 'np')
  const held = await holder.acquire('k', { ttl: 60_000 })
  const before = await scriptCalls(redis.admin)
  // The documented fallback re-check (docs/lock.md: at most every retry.maxDelay while the
  // subscriber is down) is set to 100 ms, so the 2 s window below would show a waiter that
  // re-checked on that timer (or any other) some twenty times.
  const waiting = waiter.acquire('k', { waitTimeout: 30_000, retry: { maxDelay: 100, jitter: 0 } })
  await eventually(async () => {
    const [, n] = await redis.admin('PUBSUB', 'NUMSUB', 'np:lock:released') as [string, number]
    return n >= 1
  }, { what: 'the waiter to subscribe' })
  await eventually(async () => await scriptCalls(redis.admin) - before >= 2, { what: 'the attempt and the re-check' })
  const settled = await scriptCalls(redis.admin)
  await observe(2000) // an observation window: a polling waiter would run scripts here
  t.equal(await scriptCalls(redis.admin), settled, 'no acquisition attempts while the lock stays held')
  await held.release()
  const got = await waiting
  t.ok(await scriptCalls(redis.admin) - before <= 4, 'attempt, re-check, release, winning attempt')
  await got.release()
})

test('waiters survive a subscriber disconnect: they re-check and subscribe again', async t => {
  const { redis, first: holder, second: waiter } = await twoLockers(t, 'rs')
  const held = await holder.acquire('k', { ttl: 60_000 })
  const waiting = waiter.acquire('k', { waitTimeout: 30_000 })
  const subscribed = async (): Promise<boolean> => {
    const [, n] = await redis.admin('PUBSUB', 'NUMSUB', 'rs:lock:released') as [string, number]
    return n >= 1
  }
  await eventually(subscribed, { what: 'the waiter to subscribe' })
  t.ok(await redis.killClients() >= 1, 'every connection dropped, the subscriber included')
  await eventually(subscribed, { what: 'the waiter to subscribe again', ms: 10_000 })
  await eventually(async () => await held.release().then(() => true, () => false), { what: 'the release', ms: 10_000 })
  const got = await waiting
  t.ok(got.fencingToken > held.fencingToken, 'woken by the release after the reconnect, not by the 60 s expiry')
  await got.release()
})

test('a release publishes only when someone waited for the lock', async t => {
  const { redis, first: holder, second: waiter } = await twoLockers(t, 'pub')
  const publishes = async (): Promise<number> => (await commandCounts(redis.admin)).publish ?? 0
  const before = await publishes()
  for (let i = 0; i < 3; i++) await (await holder.acquire('quiet')).release()
  t.equal(await publishes(), before, 'uncontended releases send no notification')
  const held = await holder.acquire('busy', { ttl: 60_000 })
  const waiting = waiter.acquire('busy', { ttl: 60_000, waitTimeout: 30_000 })
  await eventually(async () => await redis.admin('GET', waiter.redisKey('busy')) === held.token + '+', { what: 'the waiter to mark the lock as waited for' })
  await held.release()
  const got = await waiting
  t.equal(await publishes(), before + 1, 'the release with a waiter notified once')
  t.ok(got.fencingToken > held.fencingToken)
  await got.release()
  t.equal(await publishes(), before + 1, 'the last release, with nobody waiting, sent nothing')
})

test('the waiter mark on a lock value keeps the owner in charge and strangers out', async t => {
  const { redis, first: holder, second: other } = await twoLockers(t, 'mark')
  const held = await holder.acquire('doc', { ttl: 60_000 })
  t.equal(await other.tryAcquire('doc'), null, 'a failed attempt...')
  t.equal(await redis.admin('GET', holder.redisKey('doc')), held.token + '+', '...marks the value as waited for')
  await held.extend(90_000)
  t.ok(Number(await redis.admin('PTTL', holder.redisKey('doc'))) > 60_000, 'the owner still extends a marked lock')
  await t.rejects(other.release('doc', held.token + '+'), { code: 'FRP_LOCK_NOT_OWNER' }, 'the marked value is not itself a token')
  await t.rejects(other.release('doc', 'stranger'), { code: 'FRP_LOCK_NOT_OWNER' })
  await held.release()
  t.equal(await redis.admin('EXISTS', holder.redisKey('doc')), 0, 'the owner releases a marked lock')
})

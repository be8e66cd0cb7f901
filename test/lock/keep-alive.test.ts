// lease.keepAlive() (docs/lock.md, Lease): starts auto-extension and returns a stop function. While
// it runs the key's PTTL is renewed in Redis and the lease outlives its original TTL; once stopped,
// the key expires at its TTL and the lease counts as lost.
import { test } from 'tap'
import { Locker } from '../../lib/lock/locker.js'
import { startRedis, eventually } from '../helpers/redis.js'

test('keepAlive() renews the key\'s PTTL and keeps the lock past its original TTL; stop() ends it', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const locker = new Locker(client, { prefix: 'ka' })
  const other = new Locker(redis.client(), { prefix: 'ka' })
  t.teardown(() => Promise.all([locker.close(), other.close()]))
  const ttl = 400
  const key = locker.redisKey('report')
  const lease = await locker.acquire('report', { ttl })
  const acquiredAt = performance.now()
  const stop = lease.keepAlive()

  // Without a renewal the PTTL only ever goes down: a reading above the previous one is an extension.
  let last = await client.pttl(key)
  await eventually(async () => {
    const p = await client.pttl(key)
    const renewed = p > last
    last = p
    return renewed
  }, { ms: 5000, what: 'the key\'s PTTL to be renewed by keepAlive' })

  // Hold it for several TTLs: the lock must stay ours in Redis and locally the whole time.
  await eventually(async () => {
    t.equal(await client.get(key), lease.token, 'the key still holds our token')
    return performance.now() - acquiredAt > 3 * ttl
  }, { ms: 10_000, every: 50, what: 'three TTLs to pass' })
  t.equal(lease.held, true, 'held past the original TTL')
  t.equal(lease.signal.aborted, false, 'the signal did not abort')
  t.equal(await other.tryAcquire('report'), null, 'nobody else can take it')
  const pttl = await client.pttl(key)
  t.ok(pttl > 0 && pttl <= ttl, `the key has a live TTL (${pttl} ms), never more than the lease TTL`)

  // Stopped: no more renewals, so the key expires by itself and the lease is lost on its deadline.
  stop()
  await eventually(async () => await client.exists(key) === 0, { ms: 5000, what: 'the key to expire after stop()' })
  await eventually(() => lease.signal.aborted, { ms: 5000, what: 'the lease signal to abort at its deadline' })
  t.match(lease.signal.reason, { code: 'FRP_LOCK_LOST' })
  t.equal(lease.held, false)
  const next = await other.acquire('report', { ttl: 5000, waitTimeout: 0 })
  t.ok(next.fencingToken > lease.fencingToken, 'the lock is free for the next holder')
  await next.release()
})

test('keepAlive() ends with release(): the key is deleted and not recreated by a later tick', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const locker = new Locker(client, { prefix: 'ka2' })
  t.teardown(() => locker.close())
  const key = locker.redisKey('r')
  const lease = await locker.acquire('r', { ttl: 200 })
  lease.keepAlive()
  let last = await client.pttl(key)
  await eventually(async () => {
    const p = await client.pttl(key)
    const renewed = p > last
    last = p
    return renewed
  }, { ms: 5000, what: 'a first renewal' })
  await lease.release()
  t.equal(await client.exists(key), 0, 'released')
  // Past several would-be extension periods, the key is still gone and the lease not "lost".
  const until = performance.now() + 600
  await eventually(async () => {
    t.equal(await client.exists(key), 0)
    return performance.now() > until
  }, { ms: 5000, every: 50, what: 'three extension periods' })
  t.equal(lease.lost, false, 'a released lease is not lost')
})

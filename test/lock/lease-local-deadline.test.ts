// Pins the guarantee "a lease counts as lost once its deadline passes on the local monotonic
// clock" (mutation drill: lock-lease-ignores-deadline). The deadline is TTL minus the drift margin,
// so it passes while Redis still holds the key: a holder that was paused must not go on believing
// it holds the lock, nor extend it, just because Redis has not expired the key yet. The other
// lease tests read `signal`, whose timer also ends the lease; this one never does, so only the
// `held` check itself stands between the holder and a lock it no longer safely owns.
import { test } from 'tap'
import { Locker } from '../../lib/lock/locker.js'
import { startRedis, eventually } from '../helpers/redis.js'

test('past its local deadline a lease is lost, even while Redis still holds the key', async t => {
  const redis = (await startRedis(t)).client()
  // driftFactor 0.5: the local deadline is about half the TTL, Redis keeps the key for the whole
  // TTL. minValidity 0 so that such a short validity is still handed out.
  const locker = new Locker(redis, { prefix: 'ld', driftFactor: 0.5, minValidity: 0 })
  t.teardown(() => locker.close())
  const ttl = 12_000
  const lease = await locker.acquire('res', { ttl })
  t.ok(lease.held, 'held right after acquire')

  // The "pause": the holder does nothing (and never reads `signal`) until its deadline passed.
  await eventually(() => lease.remaining() === 0, { ms: 15_000, what: 'the local deadline to pass' })
  const pttl = await redis.pttl(locker.redisKey('res'))
  t.ok(pttl > 0, `Redis still holds the key (${pttl} ms left): only the local clock says the lease is over`)

  t.equal(lease.held, false, 'held is false past the deadline')
  t.equal(lease.lost, true, 'lost is true past the deadline')
  await t.rejects(lease.extend(), { code: 'FRP_LOCK_LOST' }, 'a lease past its deadline cannot be extended')
  t.equal(await redis.pttl(locker.redisKey('res')) <= pttl, true, 'the refused extension did not move the key\'s TTL')
  await lease.release().catch(() => {})
})

// Locker.held() finds the locks held now with SCAN on every master (a Cluster spreads them over
// its nodes), with TTL and fencing counter, never an owner token; forceRelease() deletes a lock
// whoever holds it. Standalone and Cluster.
import { test } from 'tap'
import { topologies, startTopology } from '../helpers/redis.js'
import { Locker } from '../../lib/lock/locker.js'

for (const topology of topologies()) {
  test(`${topology}: held locks and force-release`, async t => {
    const redis = (await startTopology(t, topology)).client()
    const locker = new Locker(redis, { prefix: `h${process.pid}` })
    t.teardown(() => locker.close())
    const keys = Array.from({ length: 40 }, (_, i) => `res:${i}`).concat(['odd {key} %7B'])
    const leases = await Promise.all(keys.map(k => locker.acquire(k, { ttl: 60_000 })))
    const held = await locker.held()
    t.equal(held.truncated, false)
    t.strictSame(held.locks.map(l => l.key).sort(), [...keys].sort(), 'every lock, on every node, keys as given')
    for (const l of held.locks) {
      const lease = leases[keys.indexOf(l.key)]
      t.equal(l.fence, lease.fencingToken, `${l.key}: fencing counter`)
      t.ok(l.ttl > 0 && l.ttl <= 60_000, `${l.key}: TTL`)
    }
    t.notMatch(JSON.stringify(held), leases[0].token, 'no owner token')
    const some = await locker.held({ limit: 5 })
    t.equal(some.locks.length, 5)
    t.equal(some.truncated, true, 'a limit reached says so')
    t.equal(await locker.forceRelease('odd {key} %7B'), true)
    t.equal(await locker.forceRelease('odd {key} %7B'), false, 'nothing left to release')
    t.equal((await locker.held()).locks.length, keys.length - 1)
    // Another process's locker (this one still queues callers behind its own, unaware lease).
    const other = new Locker(redis, { prefix: `h${process.pid}` })
    t.teardown(() => other.close())
    t.ok(await other.tryAcquire('odd {key} %7B'), 'free again')
    await t.rejects(leases[keys.length - 1].release(), { code: 'FRP_LOCK_NOT_OWNER' }, 'the old holder no longer owns it')
  })
}

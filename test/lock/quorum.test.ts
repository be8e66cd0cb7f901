// Multi-master (Redlock) mode over three independent redis-servers.
import { test } from 'tap'
import { Locker } from '../../lib/lock/locker.js'
import { startRedis, type TestRedis } from '../helpers/redis.js'

test('quorum mode over three independent masters', async t => {
  const servers: TestRedis[] = []
  for (let i = 0; i < 3; i++) servers.push(await startRedis(t))
  // Commands wait up to 10 s: the loaded 2-core CI answered the first EVALSHA of a fresh client
  // after more than 500 ms, and "0 of 3 answered" failed tests that are not about timeouts.
  const clients = () => servers.map(s => s.client({ commandTimeout: 10_000 }))

  await t.test('a lock is held on every master and exclusive across lockers', async t => {
    const a = new Locker(clients(), { prefix: 'q1' })
    const b = new Locker(clients(), { prefix: 'q1' })
    t.teardown(() => Promise.all([a.close(), b.close()]))
    const lease = await a.acquire('r', { ttl: 10_000 })
    for (const s of servers) t.equal(await s.admin('GET', 'q1:lock:{r}'), lease.token)
    t.equal(await b.tryAcquire('r'), null)
    const waiting = b.acquire('r', { waitTimeout: 5000 })
    await lease.release()
    const next = await waiting
    t.ok(next.fencingToken > lease.fencingToken, 'the waiter is woken by the release on the masters')
    await next.release()
    for (const s of servers) t.equal(await s.admin('EXISTS', 'q1:lock:{r}'), 0)
  })

  await t.test('a minority holding the lock elsewhere does not block; a majority does', async t => {
    const l = new Locker(clients(), { prefix: 'q2' })
    t.teardown(() => l.close())
    await servers[0].admin('SET', 'q2:lock:{m}', 'someone', 'PX', 60_000)
    const lease = await l.acquire('m', { waitTimeout: 0 })
    t.ok(lease, 'two of three is a quorum')
    await lease.release()
    await servers[1].admin('SET', 'q2:lock:{m}', 'someone', 'PX', 60_000)
    await t.rejects(l.acquire('m', { waitTimeout: 0 }), { code: 'FRP_LOCK_NOT_ACQUIRED' })
    t.equal(await servers[2].admin('EXISTS', 'q2:lock:{m}'), 0, 'a failed attempt gives back what it took')
  })

  await t.test('fencing tokens stay monotonic although each master counts on its own', async t => {
    const l = new Locker(clients(), { prefix: 'q3' })
    t.teardown(() => l.close())
    // Counters out of step, as after a partition or a clock stepped back: master 0 is an hour
    // ahead of every clock.
    const [s, us] = await servers[0].admin('TIME') as [string, string]
    const ahead = Number(s) * 1_000_000 + Number(us) + 3_600_000_000
    await servers[0].admin('SET', 'q3:lock:{f}:fence', ahead)
    const first = await l.acquire('f')
    t.equal(first.fencingToken, ahead + 1, 'the highest token of the quorum')
    for (const i of [1, 2]) t.equal(await servers[i].admin('GET', 'q3:lock:{f}:fence'), String(ahead + 1), `master ${i} was raised to it`)
    t.ok(Number(await servers[1].admin('PTTL', 'q3:lock:{f}:fence')) > 3_600_000, 'and keeps it until its own clock passes it')
    await first.release()
    // Master 0 now misses the next acquisition: the other two must still issue a higher token.
    await servers[0].admin('SET', 'q3:lock:{f}', 'someone', 'PX', 60_000)
    const second = await l.acquire('f')
    t.ok(second.fencingToken > first.fencingToken, `${second.fencingToken} > ${first.fencingToken}`)
    await second.release()
  })

  await t.test('validity: a quorum gathered too slowly is released, not handed out', async t => {
    // Clients and Locker wait out the pause (the other subtests' 500 ms bound would cut it short).
    const l = new Locker(servers.map(s => s.client({ commandTimeout: 10_000 })), { prefix: 'q5', minValidity: 0.5, commandTimeout: 10_000 })
    t.teardown(() => l.close())
    // Two masters answer after 1.5 s: the quorum is reached, but too late for a 2 s TTL (pauses
    // of 400 ms could end before a slow machine even sent the attempt).
    await servers[0].pause(1500)
    await servers[1].pause(1500)
    await t.rejects(l.acquire('v', { ttl: 2000, waitTimeout: 0 }), { code: 'FRP_LOCK_NOT_ACQUIRED' })
    for (const s of servers) t.equal(await s.admin('EXISTS', 'q5:lock:{v}'), 0)
  })

  await t.test('one master down: locks still work; two down: a coded error, not a hang', async t => {
    const l = new Locker(clients(), { prefix: 'q4', commandTimeout: 2000 })
    t.teardown(() => l.close())
    await servers[2].kill()
    const lease = await l.acquire('d')
    await lease.extend(20_000)
    await lease.release()
    await servers[1].kill()
    await t.rejects(l.acquire('d'), { code: 'FRP_REDIS_UNAVAILABLE' })
    await servers[1].restart()
    await servers[2].restart()
  })
})

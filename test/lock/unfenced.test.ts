// `fencing: false` (docs/lock.md, Fencing off): an acquisition is one plain SET NX PX, no script
// and no fencing counter; the lease's fencingToken is undefined. Waiting (woken by the release),
// keep-alive, per-call overrides and the quorum mode work as with fencing.
import { test } from 'tap'
import { Locker } from '../../lib/lock/locker.js'
import { startRedis, startTopology, topologies, eventually, type TestRedis } from '../helpers/redis.js'
import { commandCounts } from '../helpers/command-stats.js'

const SLOW_MACHINE = 10_000

test('an uncontended unfenced acquire is one SET NX PX; its release the usual script', async t => {
  const redis = await startRedis(t)
  const locker = new Locker(redis.client(), { prefix: 'nf', fencing: false, commandTimeout: SLOW_MACHINE })
  t.teardown(() => locker.close())
  await (await locker.acquire('warm')).release() // loads the release script
  await redis.admin('CONFIG', 'RESETSTAT')
  const lease = await locker.acquire('invoice', { ttl: 5000 })
  t.equal(lease.fencingToken, undefined, 'no fencing token')
  t.equal(await redis.admin('GET', 'nf:lock:{invoice}'), lease.token)
  const pttl = Number(await redis.admin('PTTL', 'nf:lock:{invoice}'))
  t.ok(pttl > 0 && pttl <= 5000, `the key carries the lease TTL (${pttl} ms)`)
  t.equal(await redis.admin('EXISTS', 'nf:lock:{invoice}:fence'), 0, 'no fencing counter')
  const counts = await commandCounts(redis.admin)
  t.strictSame(counts, { set: 1, get: 1, pttl: 1, exists: 1 }, 'acquire ran one SET and no script (the rest is this test\'s reads)')
  await lease.release()
  t.equal(await redis.admin('EXISTS', 'nf:lock:{invoice}'), 0, 'released')
  t.equal((await commandCounts(redis.admin)).evalsha, 1, 'release: the compare-and-delete script')
})

test('per-call fencing overrides the Locker\'s, both ways', async t => {
  const redis = await startRedis(t)
  const fenced = new Locker(redis.client(), { prefix: 'nf2', commandTimeout: SLOW_MACHINE })
  const unfenced = new Locker(redis.client(), { prefix: 'nf2', fencing: false, commandTimeout: SLOW_MACHINE })
  t.teardown(() => Promise.all([fenced.close(), unfenced.close()]))
  const a = await fenced.acquire('a', { fencing: false })
  t.equal(a.fencingToken, undefined)
  const b = await unfenced.acquire('b', { fencing: true })
  t.type(b.fencingToken, 'number')
  t.ok(b.fencingToken > 1e15, 'time-based token')
  const c = await unfenced.tryAcquire('c')
  t.equal(c?.fencingToken, undefined, 'tryAcquire follows the Locker')
  t.equal(await unfenced.using('d', (_s, lease) => lease.fencingToken, { fencing: true }) !== undefined, true, 'using takes the option')
  await Promise.all([a.release(), b.release(), c?.release()])
  await t.rejects(Promise.resolve().then(() => new Locker(redis.client(), { fencing: 'no' as unknown as boolean })), { code: 'FRP_INVALID_OPTION', message: /lock\.fencing/ })
  await t.rejects(fenced.acquire('e', { fencing: 1 as unknown as boolean }), { code: 'FRP_INVALID_OPTION', message: /lock\.acquire\.fencing/ })
})

for (const topology of topologies()) {
  test(`${topology}: unfenced waiters are woken by the release and stay mutually exclusive`, async t => {
    const h = await startTopology(t, topology)
    const lockers = [0, 1, 2].map(() => new Locker(h.client(), { prefix: 'nfw', fencing: false, commandTimeout: SLOW_MACHINE }))
    t.teardown(() => Promise.all(lockers.map(l => l.close())))
    const held = await lockers[0].acquire('shared', { ttl: 60_000 })
    // waitTimeout < TTL: only the release notification can hand the waiters the lock in time.
    let inside = 0
    let maxInside = 0
    const turns = Promise.all(Array.from({ length: 6 }, async (_, i) => {
      const lease = await lockers[i % 3].acquire('shared', { ttl: 60_000, waitTimeout: 30_000 })
      inside++
      maxInside = Math.max(maxInside, inside)
      t.equal(lease.fencingToken, undefined)
      await new Promise(resolve => setImmediate(resolve))
      inside--
      await lease.release()
    }))
    await eventually(async () => String(await h.client().get('nfw:lock:{shared}')).endsWith('+'), { what: 'a waiter to mark the lock' })
    await held.release()
    await turns
    t.equal(maxInside, 1, 'never two holders at once')
  })
}

test('keep-alive extends an unfenced lease past its TTL', async t => {
  const redis = await startRedis(t)
  const locker = new Locker(redis.client(), { prefix: 'nfk', fencing: false, commandTimeout: SLOW_MACHINE })
  const other = new Locker(redis.client(), { prefix: 'nfk', fencing: false, commandTimeout: SLOW_MACHINE })
  t.teardown(() => Promise.all([locker.close(), other.close()]))
  const lease = await locker.acquire('report', { ttl: 300 })
  const started = performance.now()
  const stop = lease.keepAlive()
  await eventually(async () => {
    t.equal(await redis.admin('GET', 'nfk:lock:{report}'), lease.token, 'still ours in Redis')
    return performance.now() - started > 3 * 300
  }, { ms: 10_000, every: 50, what: 'three TTLs to pass' })
  t.equal(lease.held, true, 'held past the original TTL')
  t.equal(await other.tryAcquire('report'), null)
  stop()
  await lease.release()
  t.ok(await other.tryAcquire('report'), 'free after the release')
})

test('quorum mode without fencing: exclusive across lockers, no counter, waiter woken by the release', async t => {
  const servers: TestRedis[] = []
  for (let i = 0; i < 3; i++) servers.push(await startRedis(t))
  const clients = (): ReturnType<TestRedis['client']>[] => servers.map(s => s.client({ commandTimeout: SLOW_MACHINE }))
  const a = new Locker(clients(), { prefix: 'nfq', fencing: false })
  const b = new Locker(clients(), { prefix: 'nfq', fencing: false })
  t.teardown(() => Promise.all([a.close(), b.close()]))
  const lease = await a.acquire('r', { ttl: 60_000 })
  t.equal(lease.fencingToken, undefined)
  for (const s of servers) {
    t.equal(await s.admin('GET', 'nfq:lock:{r}'), lease.token)
    t.equal(await s.admin('EXISTS', 'nfq:lock:{r}:fence'), 0)
  }
  t.equal(await b.tryAcquire('r'), null)
  const waiting = b.acquire('r', { ttl: 60_000, waitTimeout: 20_000 })
  await eventually(async () => String(await servers[0].admin('GET', 'nfq:lock:{r}')).endsWith('+'), { what: 'the waiter to mark the lock' })
  await lease.release()
  const next = await waiting
  t.equal(next.fencingToken, undefined)
  await next.release()
  // A minority held elsewhere does not block; a majority does (as with fencing).
  await servers[0].admin('SET', 'nfq:lock:{m}', 'someone', 'PX', 60_000)
  const m = await a.acquire('m', { waitTimeout: 0 })
  await m.release()
  await servers[1].admin('SET', 'nfq:lock:{m}', 'someone', 'PX', 60_000)
  await t.rejects(a.acquire('m', { waitTimeout: 0 }), { code: 'FRP_LOCK_NOT_ACQUIRED' })
})

// The Locker's `burst` option (docs/lock.md, Bursts): a lock released and acquired again by the
// same Locker in one event-loop turn is reused without Redis, up to `burst` leases in a row, with
// fencing tokens that keep growing across the burst and past it; then it goes back to Redis and
// to the next process in line. Off by default.
import { test } from 'tap'
import type { Redis } from 'ioredis'
import { Locker } from '../../lib/lock/locker.js'
import { startRedis, startTopology, topologies, eventually } from '../helpers/redis.js'
import { commandCounts } from '../helpers/command-stats.js'

const SLOW_MACHINE = 10_000
const endOfTurn = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

test('a re-acquire in the same event-loop turn reuses the lock with no Redis command; the end of the turn frees it', async t => {
  const redis = await startRedis(t)
  const locker = new Locker(redis.client(), { prefix: 'b1', burst: 4, commandTimeout: SLOW_MACHINE })
  t.teardown(() => locker.close())
  await (await locker.acquire('warm')).release()
  await endOfTurn()
  const first = await locker.acquire('invoice', { ttl: 60_000 })
  await redis.admin('CONFIG', 'RESETSTAT')
  await first.release()
  const second = await locker.acquire('invoice', { ttl: 60_000 })
  t.same(await commandCounts(redis.admin), {}, 'the release and the re-acquire sent nothing to Redis')
  t.equal(second.token, first.token, 'the lock keeps its owner token in Redis')
  t.equal(second.fencingToken, first.fencingToken + 1, 'the reused lease has the next fencing token')
  t.equal(first.held, false, 'the first lease is released')
  await t.rejects(first.extend(), { code: 'FRP_LOCK_NOT_OWNER' }, 'and cannot touch the lock any more')
  t.equal(await redis.admin('GET', 'b1:lock:{invoice}'), first.token)
  await second.release()
  // Parked until the end of this turn, then released in Redis.
  await eventually(async () => await redis.admin('EXISTS', 'b1:lock:{invoice}') === 0, { what: 'the release at the end of the turn' })
  const third = await locker.acquire('invoice', { ttl: 60_000 })
  t.not(third.token, first.token, 'a new acquisition from Redis after the turn ended')
  t.ok(third.fencingToken > second.fencingToken)
  await third.release()
})

test('after `burst` leases in a row the lock goes back to Redis; fencing tokens grow through and past the burst', async t => {
  const redis = await startRedis(t)
  const locker = new Locker(redis.client(), { prefix: 'b2', burst: 3, commandTimeout: SLOW_MACHINE })
  const other = new Locker(redis.client(), { prefix: 'b2', commandTimeout: SLOW_MACHINE })
  t.teardown(() => Promise.all([locker.close(), other.close()]))
  const owners: string[] = []
  const tokens: number[] = []
  for (let i = 0; i < 3; i++) {
    const lease = await locker.acquire('report')
    owners.push(lease.token)
    tokens.push(lease.fencingToken)
    await lease.release()
  }
  t.equal(new Set(owners).size, 1, 'three leases of one acquisition')
  t.equal(await redis.admin('EXISTS', 'b2:lock:{report}'), 0, 'the third release freed the lock in Redis at once')
  const fence = Number(await redis.admin('GET', 'b2:lock:{report}:fence'))
  t.equal(fence, tokens[2], 'the release raised the counter to the last token issued in the burst')
  t.ok(Number(await redis.admin('PTTL', 'b2:lock:{report}:fence')) > 0, 'the counter still expires')
  const next = await other.acquire('report')
  t.ok(next.fencingToken > tokens[2], 'a later holder gets a higher token')
  await next.release()
})

// Regression guard for the floor: tokens are Redis µs, so a burst's own tokens (the last + 1) are
// normally far below the next Redis token anyway. A counter ahead of the clock (as a quorum or a
// clock stepped back leaves it) makes the next Redis token the counter + 1: without the floor that
// would be a token the burst already used.
test('a counter ahead of the clock: the next holder still gets a token above every token of the burst', async t => {
  const redis = await startRedis(t)
  const locker = new Locker(redis.client(), { prefix: 'b3', burst: 5, commandTimeout: SLOW_MACHINE })
  const other = new Locker(redis.client(), { prefix: 'b3', commandTimeout: SLOW_MACHINE })
  t.teardown(() => Promise.all([locker.close(), other.close()]))
  const ahead = Date.now() * 1000 + 3_600_000_000 // an hour ahead of the clock, in µs
  await redis.admin('SET', 'b3:lock:{ledger}:fence', String(ahead), 'PX', 7_200_000)
  const tokens: number[] = []
  for (let i = 0; i < 4; i++) {
    const lease = await locker.acquire('ledger')
    tokens.push(lease.fencingToken)
    await lease.release()
  }
  t.strictSame(tokens, [ahead + 1, ahead + 2, ahead + 3, ahead + 4], 'the burst: counter + 1, then its own tokens')
  await eventually(async () => await redis.admin('EXISTS', 'b3:lock:{ledger}') === 0, { what: 'the release at the end of the turn' })
  const next = await other.acquire('ledger')
  t.equal(next.fencingToken, ahead + 5, 'the next Redis token is above the last token of the burst')
  await next.release()
})

test('an acquire with another TTL or fencing choice does not reuse the lock: it is released in Redis first', async t => {
  const redis = await startRedis(t)
  const locker = new Locker(redis.client(), { prefix: 'b4', burst: 8, commandTimeout: SLOW_MACHINE })
  t.teardown(() => locker.close())
  const a = await locker.acquire('feed', { ttl: 60_000 })
  await a.release()
  const b = await locker.acquire('feed', { ttl: 30_000 })
  t.not(b.token, a.token, 'another TTL: a new acquisition')
  t.ok(Number(await redis.admin('PTTL', 'b4:lock:{feed}')) <= 30_000, 'with its own TTL')
  await b.release()
  const c = await locker.acquire('feed', { ttl: 30_000, fencing: false })
  t.not(c.token, b.token, 'another fencing choice: a new acquisition')
  t.equal(c.fencingToken, undefined)
  await c.release()
  const d = await locker.tryAcquire('feed', { ttl: 30_000, fencing: false })
  t.equal(d?.token, c.token, 'tryAcquire reuses too')
  await d?.release()
})

test('local callers waiting for the lock take it over from the burst; none is skipped', async t => {
  const redis = await startRedis(t)
  const locker = new Locker(redis.client(), { prefix: 'b5', burst: 4, commandTimeout: SLOW_MACHINE })
  t.teardown(() => locker.close())
  const order: number[] = []
  const fences: number[] = []
  await Promise.all(Array.from({ length: 10 }, async (_, i) => {
    await locker.using('cart', (_signal, lease) => { order.push(i); fences.push(lease.fencingToken) }, { waitTimeout: 20_000 })
  }))
  t.strictSame(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'first come, first served')
  t.strictSame([...fences].sort((a, b) => a - b), fences, 'fencing tokens grow')
  t.equal(new Set(fences).size, 10)
})

test('close() releases a parked lock before it resolves', async t => {
  const redis = await startRedis(t)
  const locker = new Locker(redis.client(), { prefix: 'b6', burst: 4, commandTimeout: SLOW_MACHINE })
  const lease = await locker.acquire('nightly')
  await lease.release()
  t.equal(await Promise.race([locker.close().then(() => 'closed'), endOfTurn().then(() => 'turn')]), 'turn')
  await locker.close()
  t.equal(await redis.admin('EXISTS', 'b6:lock:{nightly}'), 0, 'released')
})

test('a lock lost while parked is reported as releaseError (FRP_LOCK_NOT_OWNER): release() had already resolved', async t => {
  const redis = await startRedis(t)
  const locker = new Locker(redis.client(), { prefix: 'b7', burst: 4, commandTimeout: SLOW_MACHINE })
  t.teardown(() => locker.close())
  const errors: Array<[string, string]> = []
  locker.on('releaseError', (key, err) => { errors.push([key, (err as { code?: string }).code ?? '']) })
  const lease = await locker.acquire('sync')
  await redis.admin('DEL', 'b7:lock:{sync}') // an operator's force-release, unknown to the lease
  await lease.release()
  await eventually(() => errors.length === 1, { what: 'the releaseError' })
  t.strictSame(errors, [['b7:lock:{sync}', 'FRP_LOCK_NOT_OWNER']])
})

test('burst is validated, and refused in the quorum mode', async t => {
  const redis = await startRedis(t)
  for (const burst of [0, 1.5, -1, '4', 10_001]) {
    t.throws(() => new Locker(redis.client(), { burst: burst as number }), { code: 'FRP_INVALID_OPTION', message: /lock\.burst/ }, `burst ${String(burst)}`)
  }
  t.throws(() => new Locker([redis.client(), redis.client(), redis.client()], { burst: 2 }), { code: 'FRP_INVALID_OPTION', message: /lock\.burst.*quorum/ })
  const one = new Locker([redis.client(), redis.client(), redis.client()], { burst: 1 })
  await one.close()
})

for (const topology of topologies()) {
  test(`${topology}: processes with bursts take turns of at most \`burst\` leases; exclusion and token order hold`, async t => {
    const h = await startTopology(t, topology)
    const admin = h.client() as Redis
    const lockers = [0, 1, 2].map(() => new Locker(h.client(), { prefix: 'b8', burst: 3, commandTimeout: SLOW_MACHINE }))
    t.teardown(() => Promise.all(lockers.map(l => l.close())))
    const counter = 'b8:{counter}'
    const log: Array<{ who: number, fence: number, token: string }> = []
    let inside = 0
    let overlap = false
    await Promise.all(lockers.map(async (locker, who) => {
      for (let i = 0; i < 12; i++) {
        const lease = await locker.acquire('hot', { waitTimeout: 60_000 })
        if (++inside > 1) overlap = true
        log.push({ who, fence: lease.fencingToken, token: lease.token })
        const v = Number(await admin.get(counter) ?? 0)
        await admin.set(counter, v + 1)
        inside--
        await lease.release()
      }
    }))
    t.notOk(overlap, 'never two holders at once')
    t.equal(Number(await admin.get(counter)), 36, 'no increment lost')
    t.ok(log.every((e, i) => i === 0 || e.fence > log[i - 1].fence), 'fencing tokens grow in lease order')
    // A burst is the run of leases under one owner token (one acquisition from Redis).
    const perAcquisition = new Map<string, number>()
    for (const e of log) perAcquisition.set(e.token, (perAcquisition.get(e.token) ?? 0) + 1)
    const longest = Math.max(...perAcquisition.values())
    t.ok(longest <= 3, `no acquisition served more than 3 leases (longest ${longest})`)
    t.ok(perAcquisition.size >= 12, `at least 36 / 3 acquisitions from Redis (${perAcquisition.size})`)
    t.ok(new Set(log.slice(0, 12).map(e => e.who)).size >= 2, 'the others had turns before the first process finished its 12')
  })
}

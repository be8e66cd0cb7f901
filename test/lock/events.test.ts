// Locker's typed events: acquired (with the time waited), acquireTimeout, extended, released and
// lost, each with the lease (or the key) it is about.
import { test } from 'tap'
import { once } from 'node:events'
import { Locker } from '../../lib/lock/locker.js'
import type { Lease } from '../../lib/lock/lease.js'
import { startRedis } from '../helpers/redis.js'
import { within } from '../helpers/deferred.js'

test('acquired, extended, released: each once, with the lease', async t => {
  const redis = await startRedis(t)
  const locker = new Locker(redis.client(), { prefix: 'ev' })
  t.teardown(() => locker.close())
  const seen: Array<[string, Lease, number?]> = []
  locker.on('acquired', (lease, waitedMs) => { seen.push(['acquired', lease, waitedMs]) })
  locker.on('extended', (lease, ttl) => { seen.push(['extended', lease, ttl]) })
  locker.on('released', lease => { seen.push(['released', lease]) })

  const lease = await locker.acquire('res', { ttl: 5000 })
  await lease.extend(7000)
  await lease.release()
  await lease.release() // idempotent: no second event
  t.equal(seen.length, 3)
  t.match(seen.map(([e, l]) => [e, l === lease]), [['acquired', true], ['extended', true], ['released', true]])
  t.type(seen[0][2], 'number')
  t.ok((seen[0][2] as number) >= 0, 'waited a non-negative time')
  t.equal(seen[1][2], 7000, 'extended reports the new TTL')

  const tried = await locker.tryAcquire('other')
  t.ok(tried)
  t.equal(seen.length, 4, 'tryAcquire counts as acquired')
  await tried?.release()

  // using(): acquired and released around the function.
  seen.length = 0
  await locker.using('res', async () => {}, { autoExtend: false })
  t.strictSame(seen.map(([e, l]) => [e, l.key]), [['acquired', 'res'], ['released', 'res']])

  // @ts-expect-error 'taken' is not an event of Locker
  locker.on('taken', () => {})
})

test('acquireTimeout: the wait ended with the lock still held (another Locker, and this Locker\'s own line)', async t => {
  const redis = await startRedis(t)
  const a = new Locker(redis.client(), { prefix: 'ev' })
  const b = new Locker(redis.client(), { prefix: 'ev' })
  t.teardown(async () => { await a.close(); await b.close() })
  const timeouts: Array<[string, number]> = []
  b.on('acquireTimeout', (key, waitTimeout) => { timeouts.push([key, waitTimeout]) })
  const held = await a.acquire('busy', { ttl: 30_000 })
  await t.rejects(b.acquire('busy', { waitTimeout: 0 }), { code: 'FRP_LOCK_NOT_ACQUIRED' })
  await t.rejects(b.acquire('busy', { waitTimeout: 50 }), { code: 'FRP_LOCK_NOT_ACQUIRED' })
  t.strictSame(timeouts, [['busy', 0], ['busy', 50]])

  // Queued behind a holder of the same Locker.
  timeouts.length = 0
  const mine = await b.acquire('local', { ttl: 30_000 })
  await t.rejects(b.acquire('local', { waitTimeout: 50 }), { code: 'FRP_LOCK_NOT_ACQUIRED' })
  t.strictSame(timeouts, [['local', 50]])
  await mine.release()
  await held.release()
})

test('lost: a lease whose deadline passes is reported once', async t => {
  const redis = await startRedis(t)
  const locker = new Locker(redis.client(), { prefix: 'ev' })
  t.teardown(() => locker.close())
  const lost: Lease[] = []
  locker.on('lost', lease => { lost.push(lease) })
  const lease = await locker.acquire('short', { ttl: 200 })
  const event = within(once(locker, 'lost'), 10_000, 'the lost event at the lease deadline')
  t.ok(lease.signal, 'reading the signal arms the deadline timer')
  await event
  t.notOk(lease.held)
  t.equal(lost.length, 1)
  t.equal(lost[0], lease)
  t.notOk(lease.held)
  t.equal(lost.length, 1, 'reported once')
})

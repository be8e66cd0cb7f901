// Direct handoff (docs/lock.md, Waiting): on one Redis or a Cluster, waiters queue in a line in
// Redis, and a release hands the lock straight to the first waiter alive in line (release-4.lua),
// which owns it when the release message arrives, without an acquire round trip. A waiter that
// stopped refreshing its place is skipped; one that gives up leaves the line.
import { test } from 'tap'
import type { Redis } from 'ioredis'
import { Locker } from '../../lib/lock/locker.js'
import { startTopology, topologies, eventually } from '../helpers/redis.js'

const SLOW_MACHINE = 10_000

for (const topology of topologies()) {
  test(topology, async t => {
    const h = await startTopology(t, topology)
    const admin = h.client()

    await t.test('a release hands the lock to the waiter in another client: it is the owner before it asks again', async t => {
      const holderSide = new Locker(h.client(), { prefix: 'h1', commandTimeout: SLOW_MACHINE })
      const waiterSide = new Locker(h.client(), { prefix: 'h1', commandTimeout: SLOW_MACHINE })
      t.teardown(() => Promise.all([holderSide.close(), waiterSide.close()]))
      const key = holderSide.redisKey('invoice')
      const held = await holderSide.acquire('invoice', { ttl: 60_000 })
      const waiting = waiterSide.acquire('invoice', { ttl: 60_000, waitTimeout: 20_000 })
      await eventually(async () => await admin.zcard(key + ':q') === 1, { what: 'the waiter to join the line' })
      await held.release()
      // The release itself made the waiter the owner, with the waiter's TTL.
      const owner = await admin.get(key)
      const pttl = await admin.pttl(key)
      const got = await waiting
      t.equal(owner, got.token, 'the lock key holds the waiter\'s token right after the release')
      t.ok(pttl > 50_000, `with the waiter's TTL (${pttl} ms)`)
      t.ok(got.fencingToken > held.fencingToken, 'a higher fencing token, issued by the handoff')
      t.equal(await admin.get(key + ':fence'), String(got.fencingToken))
      t.ok(got.remaining() > 30_000, 'a full lease')
      t.equal(await admin.exists(key + ':q', key + ':w'), 0, 'the line is empty')
      await got.release()
      t.equal(await admin.exists(key), 0)
    })

    await t.test('several waiters are served first come, first served, with growing fencing tokens', async t => {
      const lockers = [0, 1, 2, 3].map(() => new Locker(h.client(), { prefix: 'h2', commandTimeout: SLOW_MACHINE }))
      t.teardown(() => Promise.all(lockers.map(l => l.close())))
      const key = lockers[0].redisKey('shared')
      const held = await lockers[0].acquire('shared', { ttl: 60_000 })
      const order: number[] = []
      const tokens: number[] = []
      const waits: Array<Promise<void>> = []
      for (const i of [1, 2, 3]) {
        waits.push(lockers[i].acquire('shared', { ttl: 60_000, waitTimeout: 30_000 }).then(async lease => {
          order.push(i)
          tokens.push(lease.fencingToken)
          await lease.release()
        }))
        // Each joins the line before the next asks: the line's order is known.
        await eventually(async () => await admin.zcard(key + ':q') === i, { what: `waiter ${i} in line` })
      }
      await held.release()
      await Promise.all(waits)
      t.strictSame(order, [1, 2, 3], 'in the order they joined the line')
      t.strictSame([...tokens].sort((a, b) => a - b), tokens, 'fencing tokens grow along the handoffs')
      t.ok(tokens[0] > held.fencingToken)
    })

    await t.test('a waiter that stopped refreshing its place is skipped; the next one alive gets the lock', async t => {
      const holderSide = new Locker(h.client(), { prefix: 'h3', commandTimeout: SLOW_MACHINE })
      const waiterSide = new Locker(h.client(), { prefix: 'h3', commandTimeout: SLOW_MACHINE })
      t.teardown(() => Promise.all([holderSide.close(), waiterSide.close()]))
      const key = holderSide.redisKey('job')
      const held = await holderSide.acquire('job', { ttl: 60_000 })
      // A crashed waiter ahead in line: its entry was alive until a moment long past.
      await admin.zadd(key + ':q', 1, 'crashed-waiter-token')
      await admin.hset(key + ':w', 'crashed-waiter-token', '1000 60000 1')
      const waiting = waiterSide.acquire('job', { ttl: 60_000, waitTimeout: 20_000 })
      await eventually(async () => await admin.zcard(key + ':q') === 2, { what: 'the live waiter to join the line behind it' })
      await held.release()
      const got = await waiting
      t.equal(await admin.get(key), got.token, 'handed to the live waiter')
      t.equal(await admin.exists(key + ':q', key + ':w'), 0, 'the dead entry is gone')
      await got.release()
    })

    await t.test('a waiter that gives up (timeout, abort) leaves the line; the release then frees the lock', async t => {
      const holderSide = new Locker(h.client(), { prefix: 'h4', commandTimeout: SLOW_MACHINE })
      const waiterSide = new Locker(h.client(), { prefix: 'h4', commandTimeout: SLOW_MACHINE })
      t.teardown(() => Promise.all([holderSide.close(), waiterSide.close()]))
      const key = holderSide.redisKey('report')
      const held = await holderSide.acquire('report', { ttl: 60_000 })
      await t.rejects(waiterSide.acquire('report', { waitTimeout: 300 }), { code: 'FRP_LOCK_NOT_ACQUIRED' })
      await eventually(async () => await admin.zcard(key + ':q') === 0, { what: 'the timed-out waiter to leave the line' })
      const ac = new AbortController()
      const aborted = waiterSide.acquire('report', { waitTimeout: 20_000, signal: ac.signal })
      await eventually(async () => await admin.zcard(key + ':q') === 1, { what: 'the second waiter to join the line' })
      ac.abort(new Error('stop'))
      await t.rejects(aborted, { message: 'stop' })
      await eventually(async () => await admin.zcard(key + ':q') === 0, { what: 'the aborted waiter to leave the line' })
      await held.release()
      t.equal(await admin.exists(key), 0, 'released to nobody: the lock is free')
      const next = await holderSide.acquire('report', { waitTimeout: 0 })
      await next.release()
    })

    await t.test('unfenced waiters are handed the lock without a fencing token', async t => {
      const holderSide = new Locker(h.client(), { prefix: 'h5', fencing: false, commandTimeout: SLOW_MACHINE })
      const waiterSide = new Locker(h.client(), { prefix: 'h5', fencing: false, commandTimeout: SLOW_MACHINE })
      t.teardown(() => Promise.all([holderSide.close(), waiterSide.close()]))
      const key = holderSide.redisKey('cron')
      const held = await holderSide.acquire('cron', { ttl: 60_000 })
      const waiting = waiterSide.acquire('cron', { ttl: 60_000, waitTimeout: 20_000 })
      await eventually(async () => await admin.zcard(key + ':q') === 1, { what: 'the waiter to join the line' })
      await held.release()
      const got = await waiting
      t.equal(got.fencingToken, undefined)
      t.equal(await admin.get(key), got.token)
      t.equal(await admin.exists(key + ':fence'), 0, 'no fencing counter')
      await got.release()
    })
  })
}

test('a handoff whose message is lost (subscriber reconnect) is found by the waiter\'s re-check', async t => {
  const h = await startTopology(t, 'standalone')
  const admin = h.client() as Redis
  const waiterSide = new Locker(h.client(), { prefix: 'h6', commandTimeout: SLOW_MACHINE })
  t.teardown(() => waiterSide.close())
  const key = waiterSide.redisKey('lost')
  await admin.set(key, 'someone-else', 'PX', 60_000)
  const waiting = waiterSide.acquire('lost', { ttl: 60_000, waitTimeout: 20_000 })
  await eventually(async () => await admin.zcard(key + ':q') === 1, { what: 'the waiter to join the line' })
  // Hand it over as release-4.lua would, but publish nothing, and drop the waiter's subscriber:
  // the message a reconnect loses. The waiter wakes on the reset, re-checks, and finds it its own.
  const [token] = await admin.zrange(key + ':q', '0', '0')
  await admin.eval("redis.call('ZREM', KEYS[2], ARGV[1]) redis.call('HDEL', KEYS[3], ARGV[1]) redis.call('SET', KEYS[1], ARGV[1], 'PX', 60000)", 3, key, key + ':q', key + ':w', token)
  await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
  const got = await waiting
  t.equal(got.token, token, 'the waiter found the lock its own')
  t.ok(got.remaining() > 30_000, 'with what remains of its TTL')
  await got.release()
})

// Regression: every handoff was published on the one release channel, which every process using
// the Locker subscribes to, so each turn woke every process (each parsing a message that was not
// for it). Six processes contending for one lock spent a third of their turn time on that: now a
// handoff goes to the waiter's own Locker channel, and nothing reaches the shared channel.
test('a handoff is published only to the waiter\'s own Locker, not to every subscriber of the release channel', async t => {
  const h = await startTopology(t, 'standalone')
  const admin = h.client() as Redis
  const holderSide = new Locker(h.client(), { prefix: 'h7', commandTimeout: SLOW_MACHINE })
  const waiterSide = new Locker(h.client(), { prefix: 'h7', commandTimeout: SLOW_MACHINE })
  const bystander = new Locker(h.client(), { prefix: 'h7', commandTimeout: SLOW_MACHINE })
  t.teardown(() => Promise.all([holderSide.close(), waiterSide.close(), bystander.close()]))
  // A bystander waiting on another lock: subscribed to the shared channel and its own.
  const other = await holderSide.acquire('other', { ttl: 60_000 })
  const bystanding = bystander.acquire('other', { ttl: 60_000, waitTimeout: 20_000 })
  const spy = h.client() as Redis
  t.teardown(() => spy.disconnect())
  const seen: Array<[string, string]> = []
  spy.on('pmessage', (_pattern: string, channel: string, message: string) => { seen.push([channel, message]) })
  await spy.psubscribe('h7:lock:released*')
  const key = holderSide.redisKey('invoice')
  await eventually(async () => await admin.zcard(holderSide.redisKey('other') + ':q') === 1, { what: 'the bystander to join its line' })
  const held = await holderSide.acquire('invoice', { ttl: 60_000 })
  const waiting = waiterSide.acquire('invoice', { ttl: 60_000, waitTimeout: 20_000 })
  await eventually(async () => await admin.zcard(key + ':q') === 1, { what: 'the waiter to join the line' })
  await held.release()
  const got = await waiting
  await eventually(() => seen.length === 1, { what: 'the handoff message' })
  const [channel, message] = seen[0]
  t.not(channel, 'h7:lock:released', 'not on the shared release channel')
  t.match(channel, /^h7:lock:released:[\w-]+$/, 'on a Locker\'s own channel')
  t.ok(message.startsWith(got.token + ' '), 'naming the waiter\'s token')
  // The bystander's channel differs: its lock is handed over on another one.
  await other.release()
  const next = await bystanding
  await eventually(() => seen.length === 2, { what: 'the bystander\'s handoff message' })
  t.not(seen[1][0], channel, 'each Locker has its own channel')
  t.ok(seen[1][1].startsWith(next.token + ' '))
  await Promise.all([got.release(), next.release()])
})

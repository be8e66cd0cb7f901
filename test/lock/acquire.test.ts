// Core behaviour of acquire / tryAcquire / release / extend, on standalone and Cluster.
import { test } from 'tap'
import { Locker } from '../../lib/lock/locker.js'
import { startTopology, coreTopologies } from '../helpers/redis.js'

for (const topology of coreTopologies()) {
  test(`${topology}`, async t => {
    const h = await startTopology(t, topology)
    await t.test('a lock is exclusive, carries a 128-bit token, and is free again after release', async t => {
      const redis = h.client()
      const locker = new Locker(redis, { prefix: 't1' })
      t.teardown(() => locker.close())

      const before = Date.now()
      const lease = await locker.acquire('order:1', { ttl: 5000 })
      t.equal(lease.key, 'order:1')
      t.equal(Buffer.from(lease.token, 'base64url').length, 16, '128-bit token')
      t.ok(lease.held)
      t.ok(lease.remaining() > 0 && lease.remaining() <= 5000)
      // Bounds only (no elapsed-time check): a wall-clock time, after the call began and at most ttl from now.
      t.ok(lease.expiresAt > before && lease.expiresAt <= Date.now() + 5000, 'expiresAt is a wall-clock time within ttl from now')
      t.equal(await redis.get(locker.redisKey('order:1')), lease.token, 'the lock key holds the owner token')
      const pttl = await redis.pttl(locker.redisKey('order:1'))
      t.ok(pttl > 0 && pttl <= 5000, 'the lock key expires with the TTL')

      t.equal(await locker.tryAcquire('order:1'), null, 'a held lock cannot be taken')
      const other = await locker.tryAcquire('order:2')
      t.ok(other, 'another resource is independent')
      await other?.release()

      await lease.release()
      t.notOk(lease.held)
      t.equal(await redis.exists(locker.redisKey('order:1')), 0, 'release deletes the lock key')
      await lease.release() // idempotent
      const again = await locker.tryAcquire('order:1')
      t.ok(again, 'free again after release')
      await again?.release()
    })

    await t.test('fencing tokens grow with every acquisition of a resource', async t => {
      const locker = new Locker(h.client(), { prefix: 't2' })
      t.teardown(() => locker.close())
      let last = 0
      for (let i = 0; i < 5; i++) {
        const lease = await locker.acquire('res')
        t.ok(lease.fencingToken > last, `token ${lease.fencingToken} > ${last}`)
        last = lease.fencingToken
        await lease.release()
      }
      // Tokens are time-based (Redis TIME in µs), but never below a resource's last token + 1: a
      // counter set far ahead of the clock shows that each resource keeps its own.
      await h.client().set(locker.redisKey('res') + ':fence', last + 3_600_000_000)
      const ahead = await locker.acquire('res')
      t.equal(ahead.fencingToken, last + 3_600_000_001, 'continues from its own counter')
      await ahead.release()
      const other = await locker.acquire('other-res')
      t.ok(other.fencingToken < ahead.fencingToken, 'each resource counts on its own')
      await other.release()
    })

    await t.test('a non-owner can neither release nor extend', async t => {
      const redis = h.client()
      const locker = new Locker(redis, { prefix: 't3' })
      t.teardown(() => locker.close())
      const lease = await locker.acquire('doc', { ttl: 10_000 })
      await t.rejects(locker.release('doc', 'not-the-token'), { code: 'FRP_LOCK_NOT_OWNER' })
      await t.rejects(locker.extend('doc', 'not-the-token', 60_000), { code: 'FRP_LOCK_NOT_OWNER' })
      t.equal(await redis.get(locker.redisKey('doc')), lease.token, 'still held by its owner')
      t.ok(await redis.pttl(locker.redisKey('doc')) <= 10_000, 'TTL unchanged by the refused extension')

      await locker.extend('doc', lease.token, 20_000)
      t.ok(await redis.pttl(locker.redisKey('doc')) > 10_000, 'the owner token extends (from another process, say)')
      await locker.release('doc', lease.token)
      t.equal(await redis.exists(locker.redisKey('doc')), 0)
      await t.rejects(lease.release(), { code: 'FRP_LOCK_NOT_OWNER' }, 'the lease sees its lock is gone')
    })

    await t.test('acquire waits at most waitTimeout, then fails with FRP_LOCK_NOT_ACQUIRED', async t => {
      const locker = new Locker(h.client(), { prefix: 't4' })
      t.teardown(() => locker.close())
      const lease = await locker.acquire('busy', { ttl: 30_000 })
      await t.rejects(locker.acquire('busy', { waitTimeout: 0 }), { code: 'FRP_LOCK_NOT_ACQUIRED', statusCode: 409 })
      await t.rejects(locker.acquire('busy', { waitTimeout: 150 }), { code: 'FRP_LOCK_NOT_ACQUIRED' })
      const ac = new AbortController()
      const waiting = locker.acquire('busy', { waitTimeout: 30_000, signal: ac.signal })
      ac.abort(new Error('caller gave up'))
      await t.rejects(waiting, { message: 'caller gave up' }, 'an aborted wait rejects with the signal reason')
      await lease.release()
    })

    await t.test('lock keys and fencing counters share one hash slot', async t => {
      const redis = h.client()
      const locker = new Locker(redis, { prefix: 't5' })
      t.teardown(() => locker.close())
      const key = locker.redisKey('user:{42}')
      t.match(key, /^t5:lock:\{user:%7B42%7D\}$/, 'braces in names are escaped into the tag')
      const lease = await locker.acquire('user:{42}')
      t.equal(await redis.get(key + ':fence'), String(lease.fencingToken))
      t.ok(await redis.pttl(key + ':fence') > 0, 'the fencing counter expires when idle')
      await lease.release()
    })
  })
}

test('options are validated once, naming the option', async t => {
  const fake = {} as never
  t.throws(() => new Locker(fake, { ttl: -1 }), { code: 'FRP_INVALID_OPTION', message: /lock\.ttl/ })
  t.throws(() => new Locker(fake, { minValidity: 2 }), { message: /lock\.minValidity/ })
  t.throws(() => new Locker(fake, { tll: 5 } as never), { message: /lock\.tll.*unknown option/ })
  t.throws(() => new Locker(fake, { retry: { jitter: 'x' } } as never), { message: /lock\.retry\.jitter/ })
  t.throws(() => new Locker([fake, fake, fake], { quorum: 1 }), { message: /lock\.quorum.*majority/ })
  t.throws(() => new Locker([]), { message: /lock\.redis/ })
})

test('bad per-call options and bad keys are rejected before touching Redis', async t => {
  const h = await startTopology(t, 'standalone')
  const locker = new Locker(h.client())
  t.teardown(() => locker.close())
  await t.rejects(locker.acquire('k', { ttl: 1.5 }), { code: 'FRP_INVALID_OPTION', message: /lock\.acquire\.ttl/ })
  await t.rejects(locker.acquire('k', { wait: 5 } as never), { message: /lock\.acquire\.wait.*unknown/ })
  await t.rejects(locker.acquire(''), { code: 'FRP_INVALID_KEY' })
  await t.rejects(locker.acquire(undefined as never), { code: 'FRP_INVALID_KEY' })
  await t.rejects(locker.using('k', 'nope' as never), { code: 'FRP_INVALID_OPTION' })
})

// Fencing tokens through a failover (issue 19, item 3, lock): a promoted replica can miss the last
// acquisitions of a resource, i.e. its fence counter is missing or behind. Tokens are time-based
// (max(last token + 1, Redis TIME in µs), lib/lock/_fence.lua), so a lost or rolled-back counter
// never yields a token at or below one issued before, and idle counters may expire (pitfall 6,
// orphaned keys) without a token ever being reissued. Here on standalone, the counter damaged by
// hand; test/lock/sentinel-failover.test.ts does it with a real failover.
import { test } from 'tap'
import { Locker } from '../../lib/lock/locker.js'
import { startRedis, eventually } from '../helpers/redis.js'

/** Redis TIME in µs, as the acquire script reads it. */
async function redisUs (admin: (...a: Array<string | number>) => Promise<unknown>): Promise<number> {
  const [s, us] = await admin('TIME') as [string, string]
  return Number(s) * 1_000_000 + Number(us)
}

test('fencing counter lost or rolled back (a promoted replica that missed increments)', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const locker = new Locker(client, { prefix: 'ff' })
  t.teardown(() => locker.close())
  const fence = locker.redisKey('payment:1') + ':fence'

  const issued: number[] = []
  const take = async (): Promise<number> => {
    const lease = await locker.acquire('payment:1', { ttl: 30_000 })
    issued.push(lease.fencingToken)
    await lease.release()
    return lease.fencingToken
  }
  for (let i = 0; i < 5; i++) await take()
  const first = issued[0]

  await t.test('tokens are exact, JavaScript-safe integers taken from the server clock', async t => {
    const before = await redisUs(redis.admin)
    const token = await take()
    const after = await redisUs(redis.admin)
    t.ok(Number.isSafeInteger(token), `${token} is a safe integer`)
    t.ok(token >= before && token <= after, `${token} lies within Redis TIME ${before}..${after} µs`)
    t.equal(await client.get(fence), String(token), 'the counter holds the token digit for digit (no 14-digit rounding in Lua)')
  })

  await t.test('a deleted counter: the next token is still higher than every earlier one', async t => {
    const highest = Math.max(...issued)
    await redis.admin('DEL', fence)
    const token = await take()
    t.ok(token > highest, `${token} > ${highest}`)
  })

  await t.test('a counter set back to a low or stale value: the next token is still higher', async t => {
    for (const stale of [1, first]) {
      const highest = Math.max(...issued)
      await redis.admin('SET', fence, stale)
      const token = await take()
      t.ok(token > highest, `counter set back to ${stale}: ${token} > ${highest}`)
    }
  })

  await t.test('a counter ahead of the clock (the clock stepped back): tokens continue from the counter', async t => {
    const ahead = await redisUs(redis.admin) + 3_600_000_000 // one hour ahead
    await redis.admin('SET', fence, ahead)
    t.equal(await take(), ahead + 1, 'last token + 1 while the clock is behind it')
    t.equal(await take(), ahead + 2, 'and on from there, one per acquisition')
    const pttl = Number(await redis.admin('PTTL', fence))
    t.ok(pttl > 3_600_000, `the counter is kept until the clock passes it (PTTL ${pttl} ms)`)
  })

  t.strictSame([...issued].sort((a, b) => a - b), issued, 'every token in order of acquisition')
  t.equal(new Set(issued).size, issued.length, 'no token issued twice')
})

test('idle counters expire, and tokens still increase after they did', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const locker = new Locker(client, { prefix: 'fx' })
  t.teardown(() => locker.close())
  const key = locker.redisKey('payment:2')

  const lease = await locker.acquire('payment:2', { ttl: 300 })
  const pttl = await client.pttl(key + ':fence')
  t.ok(pttl > 0 && pttl <= 302, `the counter carries a TTL (${pttl} ms): about the lease TTL once the clock has passed its token`)
  await lease.release()

  // Nothing of an idle per-entity lock stays behind (pitfall 6): no lock key, and no counter.
  await eventually(async () => await client.exists(key, key + ':fence') === 0, { ms: 10_000, what: 'the idle counter to expire' })
  t.strictSame(await client.keys('fx:*'), [], 'no key left for the resource')

  const next = await locker.acquire('payment:2', { ttl: 300 })
  t.ok(next.fencingToken > lease.fencingToken, `after the expiry: ${next.fencingToken} > ${lease.fencingToken}`)
  await next.release()
})

test('a held lease whose key vanished while the client reconnected is reported lost at once', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const locker = new Locker(client, { prefix: 'fr' })
  t.teardown(() => locker.close())
  const lost: string[] = []
  locker.on('lost', lease => lost.push(lease.key))

  // A 10-minute lease: its next scheduled extension is 5 minutes away, far beyond the wait below,
  // so only the check on reconnect can report the loss in time.
  const result = locker.using('report', async signal => {
    // What a failover does to a lock that had not reached the replica: the connection drops and
    // comes back to a master without the key.
    await redis.admin('DEL', locker.redisKey('report'))
    await redis.killClients()
    await eventually(() => signal.aborted, { ms: 20_000, what: 'the lease signal to abort after the reconnect' })
    t.match(signal.reason, { code: 'FRP_LOCK_LOST' }, 'the signal aborts with FRP_LOCK_LOST')
    return 'done'
  }, { ttl: 600_000 })
  await t.rejects(result, { code: 'FRP_LOCK_LOST' }, 'using() reports the overlap to its caller')
  t.strictSame(lost, ['report'], "the Locker's 'lost' event fired")
})

test('a lease that still owns its key after a reconnect stays held', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const locker = new Locker(client, { prefix: 'fk' })
  t.teardown(() => locker.close())
  let extensions = 0
  locker.on('extended', () => { extensions++ })

  const result = await locker.using('report', async (signal, lease) => {
    await redis.killClients()
    await eventually(() => extensions > 0, { ms: 20_000, what: 'the check on reconnect (an extension)' })
    t.equal(signal.aborted, false, 'not aborted')
    t.equal(await client.get(locker.redisKey('report')), lease.token, 'still ours in Redis')
    return lease.held
  }, { ttl: 600_000 })
  t.equal(result, true, 'held throughout, and released normally')
})

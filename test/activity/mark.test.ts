// mark() and isActive(): one bit per user per day, the first mark of a day told apart, day keys
// expiring after the retention, days outside the retention refused; on standalone and Cluster.
import { test } from 'tap'
import { startTopology, topologies } from '../helpers/redis.js'
import { activity, shift } from './helpers.js'

for (const topology of topologies()) {
  test(topology, async t => {
    const h = await startTopology(t, topology)

    await t.test('a mark sets the user id bit of today; the first mark of the day says so', async t => {
      const redis = h.client()
      const a = activity(redis)
      const today = a.today()
      t.match(today, /^\d{4}-\d{2}-\d{2}$/)
      t.equal(a.redisKey(), a.redisKey(today), 'the default day is today')
      t.equal(await a.mark(42), true, 'first mark today')
      t.equal(await a.mark(42), false, 'already marked')
      t.equal(await redis.getbit(a.redisKey(today), 42), 1, 'bit 42 of the day key')
      t.equal(await redis.bitcount(a.redisKey(today)), 1)
      t.equal(await a.isActive(42), true)
      t.equal(await a.isActive(42, today), true)
      t.equal(await a.isActive(43, today), false)
      t.equal(await a.isActive(42, shift(today, -1)), false, 'another day')
      t.equal(await a.mark(0), true, 'user id 0 is a user')
      t.equal(await a.isActive(0), true)
    })

    await t.test('a day key expires retention after its day ends (absolute, set with the first mark)', async t => {
      const redis = h.client()
      const a = activity(redis, { retention: '30d' })
      const today = a.today()
      await a.mark(1, today)
      await a.mark(1, new Date(Date.parse(shift(today, -3) + 'T12:00:00Z')))
      const endOfToday = Date.parse(shift(today, 1) + 'T00:00:00Z')
      t.equal(Number(await redis.call('PEXPIRETIME', a.redisKey(today))), endOfToday + 30 * 86_400_000)
      t.equal(Number(await redis.call('PEXPIRETIME', a.redisKey(shift(today, -3)))), endOfToday - 3 * 86_400_000 + 30 * 86_400_000)
    })

    await t.test('backfilling within the retention works; older days and days after tomorrow are refused, nothing written', async t => {
      const redis = h.client()
      const a = activity(redis, { retention: '30d' })
      const today = a.today()
      t.equal(await a.mark(7, shift(today, -30)), true, 'the oldest day kept')
      t.equal(await a.mark(7, shift(today, 1)), true, 'tomorrow (a client ahead of midnight)')
      await t.rejects(a.mark(7, shift(today, -31)), { code: 'FRP_ACTIVITY_ARGUMENT', statusCode: 400, message: /"day".*outside the days kept/ })
      await t.rejects(a.mark(7, shift(today, 2)), { code: 'FRP_ACTIVITY_ARGUMENT', message: /"day"/ })
      t.equal(await redis.exists(a.redisKey(shift(today, -31)), a.redisKey(shift(today, 2))), 0)
    })

    await t.test('a day key deleted and re-created still gets an expiry from another process', async t => {
      const redis = h.client()
      const first = activity(redis)
      await first.mark(5)
      const key = first.redisKey()
      await redis.del(key)
      // A fresh core (another instance) marks the re-created key: its first mark sends the expiry.
      const other = activity(redis, { prefix: first.options.prefix })
      await other.mark(5)
      t.ok(await redis.pttl(key) > 0, 'the key has an expiry again')
    })

    await t.test('the events say who was marked, and whether first', async t => {
      const a = activity(h.client())
      const seen: unknown[] = []
      a.on('marked', (userId, day, first) => seen.push([userId, day, first]))
      await a.mark(9)
      await a.mark(9)
      t.strictSame(seen, [[9, a.today(), true], [9, a.today(), false]])
    })
  })
}

// count(): daily, weekly (7 days) and monthly (30 days) actives, the week and month as a cached
// BITOP OR; on standalone and Cluster (every day of a name in one slot).
import { test } from 'tap'
import { startTopology, topologies } from '../helpers/redis.js'
import { activity, shift } from './helpers.js'

for (const topology of topologies()) {
  test(topology, async t => {
    const h = await startTopology(t, topology)

    await t.test('DAU, WAU and MAU over rolling windows ending on the day asked for', async t => {
      const a = activity(h.client(), { countCacheTtl: 0 })
      const today = a.today()
      await a.mark(1, today); await a.mark(2, today)
      await a.mark(1, shift(today, -1)); await a.mark(3, shift(today, -1))
      await a.mark(4, shift(today, -6)) // the oldest day of the week
      await a.mark(5, shift(today, -7)) // a day before the week
      await a.mark(6, shift(today, -29)) // the oldest day of the month
      await a.mark(7, shift(today, -30)) // before the month
      t.equal(await a.count('day'), 2)
      t.equal(await a.count('day', shift(today, -1)), 2)
      t.equal(await a.count('week'), 4, 'users 1 2 3 4')
      t.equal(await a.count('month'), 6, 'users 1 to 6')
      t.equal(await a.count('week', shift(today, -1)), 4, 'a past week: users 1 3 4 5')
      t.equal(await a.count('day', shift(today, -2)), 0, 'a day nobody was active')
      t.equal(await a.count('week', shift(today, -60)), 0, 'a window with no day keys at all')
    })

    await t.test('weekly and monthly counts are cached for countCacheTtl; daily counts never are', async t => {
      const redis = h.client()
      const a = activity(redis, { countCacheTtl: '1h' })
      const today = a.today()
      await a.mark(1)
      t.equal(await a.count('week'), 1)
      await a.mark(2)
      t.equal(await a.count('week'), 1, 'the cached union')
      t.equal(await a.count('day'), 2, 'the day is read live')
      const union = a.redisKey(today).replace(/:[^:]+$/, `:union:week:${today}`)
      const pttl = await redis.pttl(union)
      t.ok(pttl > 0 && pttl <= 3_600_000, 'the cache key expires with the cache TTL')
      t.equal(await a.count('month'), 2, 'the month has its own cache')

      const live = activity(redis, { countCacheTtl: 0 })
      await live.mark(1)
      t.equal(await live.count('week'), 1)
      await live.mark(2)
      t.equal(await live.count('week'), 2, 'countCacheTtl 0: every count is live')
      t.equal(await redis.exists(live.redisKey().replace(/:[^:]+$/, `:union:week:${today}`)), 0, 'and leaves no key behind')
    })
  })
}

// retention(): of the users active on one day, how many came back on another (BITOP AND into a
// scratch key that is gone afterwards); on standalone and Cluster.
import { test } from 'tap'
import { startTopology, topologies } from '../helpers/redis.js'
import { activity, shift } from './helpers.js'

for (const topology of topologies()) {
  test(topology, async t => {
    const h = await startTopology(t, topology)

    await t.test('cohort, retained and rate', async t => {
      const redis = h.client()
      const a = activity(redis)
      const today = a.today()
      const week = shift(today, -7)
      for (const id of [1, 2, 3, 4]) await a.mark(id, week)
      for (const id of [2, 4, 5]) await a.mark(id)
      t.strictSame(await a.retention(week, today), { cohort: 4, retained: 2, rate: 0.5 })
      t.strictSame(await a.retention(today, week), { cohort: 3, retained: 2, rate: 2 / 3 }, 'the first day is the cohort')
      t.strictSame(await a.retention(shift(today, -3), today), { cohort: 0, retained: 0, rate: 0 }, 'an empty cohort')
      t.strictSame(await a.retention(new Date(Date.parse(week + 'T08:00:00Z')), today), { cohort: 4, retained: 2, rate: 0.5 }, 'Dates as days')
      t.equal(await redis.exists(a.redisKey().replace(/:[^:]+$/, ':scratch:retention')), 0, 'no scratch key left behind')
    })
  })
}

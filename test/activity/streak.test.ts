// streak(): the current run of active days (today not yet over does not break it) and the longest
// run within the retention, read in one script; on standalone and Cluster.
import { test } from 'tap'
import { startTopology, topologies } from '../helpers/redis.js'
import { streakOf } from '../../lib/activity/activity.js'
import { activity, shift } from './helpers.js'

test('streakOf reads a string of days, newest first', async t => {
  const day = 20_000 // 2024-10-04
  t.strictSame(streakOf('000', day), { current: 0, longest: 0, lastActive: null })
  t.strictSame(streakOf('1110011111', day), { current: 3, longest: 5, lastActive: '2024-10-04' })
  t.strictSame(streakOf('0110', day), { current: 2, longest: 2, lastActive: '2024-10-03' }, 'today not yet active: the run ending yesterday counts')
  t.strictSame(streakOf('0011', day), { current: 0, longest: 2, lastActive: '2024-10-02' }, 'two days ago is a break')
  t.strictSame(streakOf('1', day), { current: 1, longest: 1, lastActive: '2024-10-04' })
  t.strictSame(streakOf('1111', day), { current: 4, longest: 4, lastActive: '2024-10-04' })
})

for (const topology of topologies()) {
  test(topology, async t => {
    const h = await startTopology(t, topology)

    await t.test('current and longest streaks from real marks', async t => {
      const a = activity(h.client(), { retention: '30d' })
      const today = a.today()
      for (const d of [0, 1, 2, 5, 6, 7, 8, 9]) await a.mark(11, shift(today, -d))
      t.strictSame(await a.streak(11), { current: 3, longest: 5, lastActive: today })
      t.strictSame(await a.streak(12), { current: 0, longest: 0, lastActive: null }, 'a user never seen')
      for (const d of [1, 2]) await a.mark(13, shift(today, -d))
      t.strictSame(await a.streak(13), { current: 2, longest: 2, lastActive: shift(today, -1) }, 'not yet active today')
      t.strictSame(await a.streak(11, shift(today, -5)), { current: 5, longest: 5, lastActive: shift(today, -5) }, 'counted back from a past day')
    })

    await t.test('the longest streak is bounded by the retention: every retained day, one script', async t => {
      const a = activity(h.client(), { retention: '30d' })
      const today = a.today()
      for (let d = 0; d <= 30; d++) await a.mark(20, shift(today, -d))
      const s = await a.streak(20)
      t.equal(s.current, 30, 'the 30 retained days')
      t.equal(s.longest, 30)
    })
  })
}

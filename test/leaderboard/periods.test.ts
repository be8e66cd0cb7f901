import { test } from 'tap'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { periodCalendar, isPeriodId } from '../../lib/leaderboard/periods.js'
import { eventually, startTopology, topologies } from '../helpers/redis.js'
import { boardName } from '../helpers/leaderboard.js'

const at = (iso: string): number => Date.parse(iso)

test('period ids and boundaries follow the calendar of the time zone', async t => {
  const dayUtc = periodCalendar('day', 'UTC')
  t.strictSame(dayUtc.at(at('2026-11-26T23:59:59.999Z')), { id: '2026-11-26', start: at('2026-11-26T00:00:00Z'), end: at('2026-11-27T00:00:00Z') })
  const dayTokyo = periodCalendar('day', 'Asia/Tokyo')
  t.equal(dayTokyo.at(at('2026-11-26T15:00:00Z')).id, '2026-11-27', 'midnight in Tokyo is 15:00 UTC')
  t.equal(dayTokyo.at(at('2026-11-26T15:00:00Z')).start, at('2026-11-26T15:00:00Z'))
  const dayNy = periodCalendar('day', 'America/New_York')
  // DST ends on 2026-11-01 in New York: that day lasts 25 hours.
  const nov1 = dayNy.at(at('2026-11-01T12:00:00Z'))
  t.equal(nov1.id, '2026-11-01')
  t.equal(nov1.end - nov1.start, 25 * 3_600_000, 'the day DST ends lasts 25 h')
  t.equal(dayNy.at(at('2026-03-08T12:00:00Z')).end - dayNy.at(at('2026-03-08T12:00:00Z')).start, 23 * 3_600_000, 'the day DST starts lasts 23 h')

  const week = periodCalendar('week', 'UTC')
  t.strictSame(week.at(at('2026-11-26T10:00:00Z')), { id: '2026-W48', start: at('2026-11-23T00:00:00Z'), end: at('2026-11-30T00:00:00Z') }, 'ISO weeks start on Monday')
  t.equal(week.at(at('2027-01-01T00:00:00Z')).id, '2026-W53', '2027-01-01 (a Friday) belongs to the last ISO week of 2026')
  t.equal(week.at(at('2025-12-29T00:00:00Z')).id, '2026-W01', '2025-12-29 (a Monday) starts ISO week 1 of 2026')
  t.equal(week.at(at('2026-11-26T10:00:00Z'), -1).id, '2026-W47')

  const month = periodCalendar('month', 'Europe/Paris')
  t.strictSame(month.at(at('2026-11-30T23:30:00Z')).id, '2026-12', 'already December in Paris')
  t.equal(month.at(at('2026-01-15T00:00:00Z'), -1).id, '2025-12', 'offsets cross years')
  t.equal(month.startAfter(at('2026-01-15T00:00:00Z'), 2), at('2026-02-28T23:00:00Z'), 'start of March in Paris')

  t.ok(isPeriodId('week', '2026-W48'))
  t.notOk(isPeriodId('day', '2026-W48'))
  t.throws(() => periodCalendar('day', 'Mars/Olympus'))
  t.throws(() => new Leaderboard({} as never, 'x', { period: 'day', timeZone: 'Mars/Olympus' }), { code: 'FRP_INVALID_OPTION' })
})

for (const topology of topologies()) {
  test(`periodic boards (${topology})`, async t => {
    const h = await startTopology(t, topology)
    const redis = h.client()

    await t.test('a daily board rolls over at midnight of its time zone (injected clock)', async t => {
      let now = at('2026-11-26T14:59:59.000Z')
      const b = new Leaderboard(redis, boardName('daily'), { period: 'day', timeZone: 'Asia/Tokyo', now: () => now })
      t.equal(b.periodId, '2026-11-26')
      await b.submit('a', 10)
      now = at('2026-11-26T15:00:00.000Z')
      t.equal(b.periodId, '2026-11-27', 'new day in Tokyo')
      t.equal(await b.count(), 0, 'the new period starts empty')
      await b.submit('b', 5)
      t.strictSame((await b.top()).map(e => e.member), ['b'])
      const yesterday = b.period(-1)
      t.equal(yesterday.periodId, '2026-11-26')
      t.strictSame((await yesterday.top()).map(e => e.member), ['a'], 'the previous period is still readable')
      t.throws(() => new Leaderboard(redis, 'plain').period(-1), { code: 'FRP_LEADERBOARD_ARGUMENT' })
    })

    await t.test('each period key expires when it leaves the `keep` most recent periods', async t => {
      let now = at('2026-11-26T10:00:00.000Z')
      const b = new Leaderboard(redis, boardName('expiry'), { period: 'day', keep: 2, now: () => now })
      await b.submit('a', 1)
      const ttl = await redis.pttl(b.key)
      // Retained through tomorrow: until 2026-11-28T00:00Z, 38 h after `now`.
      t.ok(ttl > 38 * 3_600_000 - 60_000 && ttl <= 38 * 3_600_000, `ttl ${ttl} ms covers this period and the next one`)
      t.equal(await redis.pttl(b.config.prefix + ':leaderboard:{' + b.name + '}:meta'), -2, 'no metadata, no hash')
      // Close to the end of the retention: the key is written with a TTL of a few ms, then expires.
      now = at('2026-11-27T23:59:59.950Z')
      const old = b.period(-1)
      await old.submit('late', 1, { meta: { n: 1 } })
      t.ok(await redis.pttl(old.key) <= 50)
      await eventually(async () => (await redis.exists(old.key)) === 0, { what: 'the old period to expire' })
      t.equal(await b.count(), 0, 'today (2026-11-27) has no scores yet')
    })

    await t.test('metadata of a periodic board outlives every retained period', async t => {
      const now = at('2026-11-26T10:00:00.000Z')
      const b = new Leaderboard(redis, boardName('meta-ttl'), { period: 'week', keep: 3, now: () => now })
      await b.submit('a', 1, { meta: { name: 'Ada' } })
      const metaKey = `${b.config.prefix}:leaderboard:{${b.name}}:meta`
      const [metaTtl, boardTtl] = [await redis.pttl(metaKey), await redis.pttl(b.key)]
      t.ok(Math.abs(metaTtl - boardTtl) < 1000 && metaTtl > 0, 'the metadata hash lives as long as the current period')
      await b.remove('a')
      t.strictSame(await b.getMetadata('a'), { name: 'Ada' }, 'removing from one period keeps the shared metadata')
      // Regression: a write to an older period once cut the metadata TTL down to that period's.
      await b.period(-2).submit('old', 1, { meta: { name: 'Old' } })
      t.ok(await redis.pttl(metaKey) > await redis.pttl(b.period(-2).key), 'writing to an older period keeps the longer metadata TTL')
      t.ok(Math.abs(await redis.pttl(metaKey) - boardTtl) < 1000)
    })

    await t.test('roll-ups sum or keep the best score of the last periods, into one board of the same hash tag', async t => {
      let now = at('2026-11-24T12:00:00.000Z')
      const b = new Leaderboard(redis, boardName('rollup'), { period: 'day', keep: 7, update: 'increment', now: () => now })
      await b.submit('a', 10, { meta: { name: 'Ada' } })
      await b.submit('b', 3)
      now += 86_400_000
      await b.submit('a', 5)
      await b.submit('b', 30)
      now += 86_400_000
      await b.submit('c', 7)
      const week = await b.rollup('3days', { periods: 3 })
      t.strictSame((await week.top(5, 0, { meta: true })).map(e => [e.member, e.score, e.meta]), [['b', 33], ['a', 15], ['c', 7]].map(([m, s]) => [m, s, m === 'a' ? { name: 'Ada' } : null]))
      const best = await b.rollup('best2', { periods: 2, aggregate: 'best', ttl: 60_000 })
      t.strictSame((await best.top()).map(e => [e.member, e.score]), [['b', 30], ['c', 7], ['a', 5]])
      const ttl = await redis.pttl(best.key)
      t.ok(ttl > 0 && ttl <= 60_000, 'the roll-up TTL is set')
      t.strictSame((await b.rolledUp('3days').top(1)).map(e => e.member), ['b'], 'a stored roll-up can be read without recomputing')
      const again = await b.rollup('3days', { periods: 1 })
      t.strictSame((await again.top()).map(e => e.member), ['c'], 'a roll-up replaces the previous one')
      await t.rejects(new Leaderboard(redis, boardName('flat')).rollup('x'), { code: 'FRP_LEADERBOARD_ARGUMENT' })
    })

    await t.test("roll-ups of tieBreak 'first' boards add the scores, not the packed values", async t => {
      let now = at('2026-11-24T12:00:00.000Z')
      const b = new Leaderboard(redis, boardName('rollup-tie'), { period: 'day', tieBreak: 'first', maxScore: 100, update: 'replace', now: () => now })
      await b.submitMany([{ member: 'a', score: 40 }, { member: 'b', score: 60 }])
      now += 86_400_000
      await b.submitMany([{ member: 'a', score: 50 }, { member: 'b', score: 30 }])
      const sum = await b.rollup('sum', { periods: 2 })
      t.strictSame((await sum.top()).map(e => e.member).sort(), ['a', 'b'])
      t.strictSame((await sum.top()).map(e => e.score), [90, 90])
      t.equal(await sum.rank('a', { style: 'competition' }), 1, 'equal sums are equal scores')
      t.equal(await redis.pttl(sum.key), -1, 'no TTL unless asked')
      const best = await b.rollup('best', { periods: 2, aggregate: 'best' })
      t.strictSame((await best.top()).map(e => [e.member, e.score]), [['b', 60], ['a', 50]])
      await b.submit('a', 80)
      await t.rejects(b.rollup('sum', { periods: 2 }), { code: 'FRP_LEADERBOARD_SCORE_RANGE' }, 'a sum above maxScore is refused')
      t.strictSame((await b.rolledUp('sum').top()).map(e => e.score), [90, 90], 'a failed roll-up leaves the previous one in place')
      const empty = await b.rollup('empty', { periods: 1 })
      now += 86_400_000
      t.equal(await (await b.rollup('empty', { periods: 1 })).count(), 0, 'rolling up empty periods gives an empty board')
      t.equal(await empty.count(), 0)
    })
  })
}

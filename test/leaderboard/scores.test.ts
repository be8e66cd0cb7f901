import { test } from 'tap'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { startRedis } from '../helpers/redis.js'
import { boardName } from '../helpers/leaderboard.js'

test("tieBreak 'first' budget: stored scores are exact integers below 2^53 across the documented range", async t => {
  const redis = (await startRedis(t)).client()
  const def = new Leaderboard(redis, boardName('budget'), { tieBreak: 'first' })
  t.equal(def.config.minScore, 0)
  t.equal(def.config.maxScore, 2 ** 22 - 1)
  t.equal(def.config.M, 2 ** 31, '31 bits of 1-second ticks')
  t.equal(new Date(def.config.tieBreakHorizon).toISOString(), '2093-01-19T03:14:08.000Z', 'tie-breaking lasts until 2093')
  for (const order of ['desc', 'asc'] as const) {
    const b = new Leaderboard(redis, boardName('budget'), { tieBreak: 'first', order, minScore: -1000, maxScore: 2 ** 22 - 1001 })
    await b.submitMany([{ member: 'max', score: 2 ** 22 - 1001 }, { member: 'min', score: -1000 }, { member: 'zero', score: 0 }])
    t.strictSame((await b.top(3)).map(e => e.score), order === 'desc' ? [2 ** 22 - 1001, 0, -1000] : [-1000, 0, 2 ** 22 - 1001])
    for (const m of ['max', 'min', 'zero']) {
      const stored = await redis.zscore(b.key, m)
      t.match(stored, /^\d+$/, `${order} ${m}: stored as a plain integer`)
      t.ok(Number(stored) < 2 ** 53 && Number.isSafeInteger(Number(stored)), `${order} ${m}: below 2^53`)
    }
  }
  const fine = new Leaderboard(redis, boardName('budget-ms'), { tieBreak: 'first', tieBreakResolution: 1, minScore: 0, maxScore: 1000, tieBreakEpoch: Date.UTC(2026, 0, 1) })
  t.equal(fine.config.M, 2 ** 43, 'a narrow score range leaves room for millisecond ticks')
})

test('scores outside the range, non-finite, non-numbers and (with tie-breaking) non-integers are rejected with a coded error', async t => {
  const redis = (await startRedis(t)).client()
  const tb = new Leaderboard(redis, boardName('reject'), { tieBreak: 'first', maxScore: 100 })
  const plain = new Leaderboard(redis, boardName('reject-plain'))
  for (const bad of [101, -1, 1.5, NaN, Infinity, -Infinity, '12', null, undefined, {}]) {
    await t.rejects(tb.submit('p', bad as number), { code: 'FRP_LEADERBOARD_SCORE_RANGE', statusCode: 400 }, `tie-break board rejects ${String(bad)}`)
  }
  for (const bad of [NaN, Infinity, '12', 2 ** 53, -(2 ** 53)]) {
    await t.rejects(plain.submit('p', bad as number), { code: 'FRP_LEADERBOARD_SCORE_RANGE' }, `plain board rejects ${String(bad)}`)
  }
  t.strictSame(await plain.submit('p', 0.125), { member: 'p', score: 0.125, changed: true }, 'plain boards keep fractional scores')
  await t.rejects(tb.increment('p', 0.5), { code: 'FRP_LEADERBOARD_SCORE_RANGE' })
  await t.rejects(tb.increment('p', Infinity), { code: 'FRP_LEADERBOARD_SCORE_RANGE' })
  for (const bad of ['', 'x'.repeat(257), 'é'.repeat(129), 42, null]) {
    await t.rejects(tb.submit(bad as string, 1), { code: 'FRP_LEADERBOARD_MEMBER', statusCode: 400 }, `member ${JSON.stringify(bad)?.slice(0, 12)} rejected`)
  }
  t.strictSame(await tb.submit('x'.repeat(256), 1), { member: 'x'.repeat(256), score: 1, changed: true }, '256 bytes is allowed')
  await t.rejects(tb.submit('p', 1, { meta: 'x'.repeat(5000) }), { code: 'FRP_LEADERBOARD_METADATA' })
  await t.rejects(tb.submit('p', 1, { meta: () => 1 }), { code: 'FRP_LEADERBOARD_METADATA' })
  await t.rejects(tb.top(0), { code: 'FRP_LEADERBOARD_ARGUMENT' })
  await t.rejects(tb.top(10, -1), { code: 'FRP_LEADERBOARD_ARGUMENT' })
  await t.rejects(tb.around('p', -1), { code: 'FRP_LEADERBOARD_ARGUMENT' })
  await t.rejects(tb.submitMany('nope' as never), { code: 'FRP_LEADERBOARD_ARGUMENT' })
  t.equal(await tb.count(), 1, 'only the valid 256-byte member was written')
})

test('board options are validated once, naming the option', async t => {
  const cases: Array<[object, RegExp]> = [
    [{ bogus: 1 }, /leaderboard\.bogus/],
    [{ order: 'up' }, /leaderboard\.order/],
    [{ update: 'max' }, /leaderboard\.update/],
    [{ tieBreak: 'last' }, /leaderboard\.tieBreak/],
    [{ minScore: 10, maxScore: 1 }, /leaderboard\.maxScore/],
    [{ tieBreak: 'first', minScore: 0.5 }, /leaderboard\.minScore/],
    [{ tieBreak: 'first', maxScore: 2 ** 40, tieBreakResolution: 1 }, /tieBreakResolution.*tie-breaking ends/],
    [{ tieBreak: 'first', minScore: -(2 ** 52), maxScore: 2 ** 52 }, /no bits for time/],
    [{ period: 'year' }, /leaderboard\.period/],
    [{ keep: 0 }, /leaderboard\.keep/],
    [{ now: 5 }, /leaderboard\.now/]
  ]
  for (const [opts, message] of cases) {
    t.throws(() => new Leaderboard({} as never, 'b', opts), { code: 'FRP_INVALID_OPTION', message }, JSON.stringify(opts))
  }
  t.throws(() => new Leaderboard({} as never, ''), { code: 'FRP_LEADERBOARD_ARGUMENT' })
})

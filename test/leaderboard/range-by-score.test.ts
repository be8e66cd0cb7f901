// rangeByScore(min, max, { limit, offset }): the members whose score lies in [min, max], in board
// order, each with its true rank on the whole board, on plain and tie-broken boards, desc and asc.
import { test } from 'tap'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { startTopology, topologies } from '../helpers/redis.js'
import { boardName } from '../helpers/leaderboard.js'

const SCORES: Array<[string, number]> = [['a', 100], ['b', 150], ['c', 175], ['d', 175], ['e', 200], ['f', 250]]

for (const topology of topologies()) {
  test(`range by score (${topology})`, async t => {
    const redis = (await startTopology(t, topology)).client()

    await t.test('"winners between 150 and 200": inclusive bounds, board order, ranks of the whole board', async t => {
      for (const tieBreak of ['none', 'first'] as const) {
        const desc = new Leaderboard(redis, boardName('bs-desc'), { tieBreak, maxScore: 1000 })
        const asc = new Leaderboard(redis, boardName('bs-asc'), { tieBreak, order: 'asc', maxScore: 1000 })
        for (const [m, s] of SCORES) { await desc.submit(m, s); await asc.submit(m, s) }
        const d = await desc.rangeByScore(150, 200)
        t.strictSame(d.map(e => [e.score, e.rank]), [[200, 2], [175, 3], [175, 4], [150, 5]], `${tieBreak} desc: best first, ranks as on the board`)
        t.strictSame(d.map(e => e.member), (await desc.top(4, 1)).map(e => e.member), `${tieBreak} desc: the same members top() lists at those ranks`)
        const a = await asc.rangeByScore(150, 200)
        t.strictSame(a.map(e => [e.score, e.rank]), [[150, 2], [175, 3], [175, 4], [200, 5]], `${tieBreak} asc: lowest first`)
        t.strictSame((await desc.rangeByScore(150, 200, { offset: 1, limit: 2 })).map(e => [e.score, e.rank]), [[175, 3], [175, 4]], `${tieBreak}: offset and limit page the range`)
        t.strictSame(await desc.rangeByScore(201, 249), [], `${tieBreak}: an empty range`)
        t.strictSame((await desc.rangeByScore(-Infinity, Infinity)).length, 6, `${tieBreak}: unbounded`)
        t.strictSame((await desc.rangeByScore(175, 175)).map(e => e.score), [175, 175], `${tieBreak}: one score`)
      }
    })

    await t.test('tie-broken boards: fractional bounds round inward, bounds beyond the range are open', async t => {
      const b = new Leaderboard(redis, boardName('bs-tb'), { tieBreak: 'first', minScore: 0, maxScore: 300 })
      for (const [m, s] of SCORES) await b.submit(m, s)
      t.strictSame((await b.rangeByScore(149.5, 175.9)).map(e => e.score), [175, 175, 150])
      t.strictSame((await b.rangeByScore(-50, 1e9)).length, 6)
      t.strictSame(await b.rangeByScore(175.2, 175.8), [], 'no integer inside')
      t.strictSame(await b.rangeByScore(400, 500), [], 'above maxScore')
    })

    await t.test('metadata on request; plain boards keep fractional scores', async t => {
      const b = new Leaderboard(redis, boardName('bs-meta'))
      await b.submit('x', 1.25, { meta: { name: 'X' } })
      await b.submit('y', 1.5)
      t.strictSame(await b.rangeByScore(1.2, 1.3, { meta: true }), [{ member: 'x', score: 1.25, rank: 2, meta: { name: 'X' } }])
      t.strictSame(await b.rangeByScore(1.2, 1.6), [{ member: 'y', score: 1.5, rank: 1 }, { member: 'x', score: 1.25, rank: 2 }])
    })

    await t.test('bad arguments are coded errors naming the argument', async t => {
      const b = new Leaderboard(redis, boardName('bs-bad'))
      const cases: Array<[unknown, unknown, object, string]> = [
        [NaN, 1, {}, 'min'], ['1', 2, {}, 'min'], [1, null, {}, 'max'], [5, 1, {}, 'max'],
        [1, 2, { limit: 0 }, 'limit'], [1, 2, { limit: 1.5 }, 'limit'], [1, 2, { offset: -1 }, 'offset']
      ]
      for (const [min, max, opts, name] of cases) {
        await t.rejects(b.rangeByScore(min as number, max as number, opts), { code: 'FRP_LEADERBOARD_ARGUMENT', statusCode: 400, message: new RegExp(`"${name}"`) })
      }
    })
  })
}

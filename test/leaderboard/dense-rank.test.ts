// Dense rank walked across several bounded script calls (issue 22: one call walking up to
// denseRankLimit distinct scores held Redis for ~28 ms on a 1M-member board). The walk resumes by
// score from call to call; these boards have far more distinct scores than one call's slice, and
// every dense rank must equal the one computed here from the scores submitted.
import { test } from 'tap'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { denseWalk } from '../../lib/leaderboard/dense.js'
import { startTopology, coreTopologies } from '../helpers/redis.js'
import { boardName, nextRedisMs } from '../helpers/leaderboard.js'

/** 1 + distinct user scores better than `score` (the reference the Lua walk must match). */
function referenceDense (scores: number[], score: number, desc: boolean): number {
  return 1 + new Set(scores.filter(s => desc ? s > score : s < score)).size
}

/** A deterministic spread: 5,000 members, ~3,000 distinct scores, runs of equal scores mixed in. */
function scoresOf (n: number): number[] {
  let x = 12345
  return Array.from({ length: n }, () => { x = (x * 1103515245 + 12345) % 2 ** 31; return x % 3000 })
}

const N = 5000
const SCORES = scoresOf(N)
// Members checked: the best, the worst, ties, and spots in between.
const PROBES = [0, 1, 2, 17, 499, 1000, 2500, 3333, 4999]

for (const topology of coreTopologies()) {
  test(`dense rank across bounded script calls (${topology})`, async t => {
    const h = await startTopology(t, topology)
    const redis = h.client()
    const work = denseWalk.work
    t.teardown(() => { denseWalk.work = work })

    for (const order of ['desc', 'asc'] as const) {
      await t.test(`issue 22: a ${order} board with more distinct scores than one call walks matches the reference`, async t => {
        const b = new Leaderboard(redis, boardName(`dense-${order}`), { order })
        await b.submitMany(SCORES.map((score, i) => ({ member: `m${i}`, score })))
        for (const slice of [work, 64, 5]) {
          denseWalk.work = slice
          for (const i of PROBES) {
            t.equal(await b.rank(`m${i}`, { style: 'dense' }), referenceDense(SCORES, SCORES[i], order === 'desc'), `m${i} (score ${SCORES[i]}), slice ${slice}`)
          }
        }
        // Past the last score, in both orders: the walk ends when no better score is left.
        const top = order === 'desc' ? Math.max(...SCORES) : Math.min(...SCORES)
        t.equal(await b.rank(`m${SCORES.indexOf(top)}`, { style: 'dense' }), 1)
        denseWalk.work = work
      })
    }

    await t.test("with tieBreak 'first' the walk counts user scores, not stored values, across calls", async t => {
      const b = new Leaderboard(redis, boardName('dense-tie'), { tieBreak: 'first', tieBreakResolution: 1, maxScore: 5000 })
      // Two arrivals per user score at different Redis milliseconds: two stored values per score.
      const scores = Array.from({ length: 600 }, (_, i) => i * 3)
      await b.submitMany(scores.map(score => ({ member: `a${score}`, score })))
      await nextRedisMs(redis)
      await b.submitMany(scores.map(score => ({ member: `b${score}`, score })))
      const all = [...scores, ...scores]
      for (const slice of [work, 7, 5]) {
        denseWalk.work = slice
        for (const s of [0, 3, 300, 897, 1797]) {
          for (const m of [`a${s}`, `b${s}`]) {
            t.equal(await b.rank(m, { style: 'dense' }), referenceDense(all, s, true), `${m}, slice ${slice}`)
          }
        }
      }
      denseWalk.work = work
    })

    await t.test('issue 22: denseRankLimit holds across calls: the limit itself is a rank, one more is FRP_LEADERBOARD_DENSE_LIMIT', async t => {
      const limit = 1600
      const b = new Leaderboard(redis, boardName('dense-limit-chunks'), { denseRankLimit: limit })
      await b.submitMany(Array.from({ length: 2000 }, (_, i) => ({ member: `m${i}`, score: i })))
      for (const slice of [work, 64]) {
        denseWalk.work = slice
        // m(1999 - k) has k distinct better scores.
        t.equal(await b.rank(`m${1999 - limit}`, { style: 'dense' }), limit + 1, `exactly ${limit} better scores, slice ${slice}`)
        await t.rejects(b.rank(`m${1999 - limit - 1}`, { style: 'dense' }), { code: 'FRP_LEADERBOARD_DENSE_LIMIT' }, `slice ${slice}`)
        await t.rejects(b.info('m0', { dense: true }), { code: 'FRP_LEADERBOARD_DENSE_LIMIT' }, `slice ${slice}`)
        t.equal((await b.info('m0'))?.rank, 2000, 'without dense the limit does not apply')
      }
      denseWalk.work = work
    })
  })
}

import { test } from 'tap'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { startTopology, coreTopologies } from '../helpers/redis.js'
import { boardName } from '../helpers/leaderboard.js'
import { nextRedisMs } from '../helpers/redis-time.js'

// Hand-computed table. Desc board, no tie-break: Redis orders equal scores by member name, and a
// desc board reads them in reverse (c before b).
const SCORES: Array<[string, number]> = [['a', 100], ['b', 90], ['c', 90], ['d', 80], ['e', 80], ['f', 80], ['g', 70]]
const EXPECTED: Record<string, { ordinal: number, competition: number, dense: number, percentile: number }> = {
  a: { ordinal: 1, competition: 1, dense: 1, percentile: 100 * 6.5 / 7 },
  b: { ordinal: 3, competition: 2, dense: 2, percentile: 100 * 5 / 7 },
  c: { ordinal: 2, competition: 2, dense: 2, percentile: 100 * 5 / 7 },
  d: { ordinal: 6, competition: 4, dense: 3, percentile: 100 * 2.5 / 7 },
  e: { ordinal: 5, competition: 4, dense: 3, percentile: 100 * 2.5 / 7 },
  f: { ordinal: 4, competition: 4, dense: 3, percentile: 100 * 2.5 / 7 },
  g: { ordinal: 7, competition: 7, dense: 4, percentile: 100 * 0.5 / 7 }
}

for (const topology of coreTopologies()) {
  test(`ranks, percentile, around and pages (${topology})`, async t => {
    const h = await startTopology(t, topology)
    const redis = h.client()

    await t.test('ordinal, competition and dense ranks and percentile match the hand-computed table', async t => {
      const b = new Leaderboard(redis, boardName('ranks'))
      await b.submitMany(SCORES.map(([member, score]) => ({ member, score })))
      for (const [m, want] of Object.entries(EXPECTED)) {
        t.equal(await b.rank(m), want.ordinal, `${m} ordinal`)
        t.equal(await b.rank(m, { style: 'competition' }), want.competition, `${m} competition`)
        t.equal(await b.rank(m, { style: 'dense' }), want.dense, `${m} dense`)
        t.ok(Math.abs((await b.percentile(m))! - want.percentile) < 1e-9, `${m} percentile`)
      }
      t.equal(await b.rank('nobody', { style: 'dense' }), null)
      t.equal(await b.percentile('nobody'), null)
      await t.rejects(b.rank('a', { style: 'bogus' as 'dense' }), { code: 'FRP_LEADERBOARD_ARGUMENT' })
    })

    await t.test('on an asc board the same table reads from the lowest score', async t => {
      const b = new Leaderboard(redis, boardName('ranks-asc'), { order: 'asc' })
      await b.submitMany(SCORES.map(([member, score]) => ({ member, score: -score })))
      for (const [m, want] of Object.entries(EXPECTED)) {
        t.equal(await b.rank(m, { style: 'competition' }), want.competition, `${m} competition`)
        t.equal(await b.rank(m, { style: 'dense' }), want.dense, `${m} dense`)
      }
      t.strictSame((await b.top(3)).map(e => e.member), ['a', 'b', 'c'], 'asc boards order equal scores by name')
    })

    await t.test("with tieBreak 'first' ordinal rank follows arrival while competition and dense ranks see equal scores", async t => {
      const b = new Leaderboard(redis, boardName('ranks-tie'), { tieBreak: 'first', tieBreakResolution: 1, maxScore: 1000 })
      for (const [member, score] of SCORES) {
        await b.submit(member, score)
        await nextRedisMs(redis)
      }
      const ordinal: Record<string, number> = { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 }
      for (const [m, want] of Object.entries(EXPECTED)) {
        const info = await b.info(m, { dense: true })
        t.equal(info!.rank, ordinal[m], `${m} ordinal`)
        t.equal(info!.competitionRank, want.competition, `${m} competition`)
        t.equal(info!.denseRank, want.dense, `${m} dense`)
        t.ok(Math.abs(info!.percentile - want.percentile) < 1e-9, `${m} percentile`)
      }
    })

    await t.test('dense rank refuses to walk more distinct scores than denseRankLimit', async t => {
      const b = new Leaderboard(redis, boardName('dense-limit'), { denseRankLimit: 3 })
      await b.submitMany(Array.from({ length: 10 }, (_, i) => ({ member: `m${i}`, score: i })))
      t.equal(await b.rank('m6', { style: 'dense' }), 4)
      await t.rejects(b.rank('m0', { style: 'dense' }), { code: 'FRP_LEADERBOARD_DENSE_LIMIT' })
    })

    await t.test('around returns 2r+1 members centred on the member, filled from the other side at the edges', async t => {
      const b = new Leaderboard(redis, boardName('around'))
      await b.submitMany(Array.from({ length: 10 }, (_, i) => ({ member: `r${i + 1}`, score: 100 - i, meta: i === 0 ? { top: true } : undefined })))
      const ranks = async (m: string, r: number): Promise<number[] | undefined> => (await b.around(m, r))?.map(e => e.rank)
      t.strictSame(await ranks('r5', 2), [3, 4, 5, 6, 7], 'middle')
      t.strictSame(await ranks('r1', 2), [1, 2, 3, 4, 5], 'top edge: filled below')
      t.strictSame(await ranks('r2', 2), [1, 2, 3, 4, 5], 'near the top edge')
      t.strictSame(await ranks('r10', 2), [6, 7, 8, 9, 10], 'bottom edge: filled above')
      t.strictSame(await ranks('r9', 2), [6, 7, 8, 9, 10], 'near the bottom edge')
      t.strictSame(await ranks('r5', 20), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'radius larger than the board')
      t.strictSame(await ranks('r5', 0), [5])
      t.equal(await b.around('nobody', 2), null)
      const withMeta = await b.around('r1', 1, { meta: true })
      t.strictSame(withMeta!.map(e => [e.member, e.score, e.meta]), [['r1', 100, { top: true }], ['r2', 99, null], ['r3', 98, null]])
      const asc = new Leaderboard(redis, boardName('around-asc'), { order: 'asc' })
      await asc.submitMany(Array.from({ length: 5 }, (_, i) => ({ member: `s${i}`, score: i })))
      t.strictSame((await asc.around('s0', 1))!.map(e => e.member), ['s0', 's1', 's2'])
    })

    await t.test('pages walk the whole board, and members entering above the cursor do not shift the next page', async t => {
      const b = new Leaderboard(redis, boardName('pages'), { tieBreak: 'first', maxScore: 10_000 })
      await b.submitMany(Array.from({ length: 25 }, (_, i) => ({ member: `p${i}`, score: 1000 - i * 10 })))
      const first = await b.page(null, { limit: 10 })
      t.strictSame(first.entries.map(e => e.rank), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      await b.submitMany([{ member: 'new1', score: 5000 }, { member: 'new2', score: 4000 }])
      const second = await b.page(first.next, { limit: 10 })
      t.equal(second.entries[0].member, 'p10', 'continues after the last member seen')
      t.equal(second.entries[0].rank, 13, 'ranks are current')
      const third = await b.page(second.next, { limit: 10 })
      t.strictSame(third.entries.map(e => e.member), ['p20', 'p21', 'p22', 'p23', 'p24'])
      t.equal(third.next, null)
      // The cursor's member left the board: the page starts after its old score.
      await b.remove('p19')
      const again = await b.page(second.next, { limit: 10 })
      t.equal(again.entries[0].member, 'p20')
      await t.rejects(b.page('not-a-cursor', { limit: 10 }), { code: 'FRP_LEADERBOARD_CURSOR' })
      const plain = new Leaderboard(redis, boardName('pages-plain'), { order: 'asc' })
      await plain.submitMany(Array.from({ length: 4 }, (_, i) => ({ member: `q${i}`, score: i / 10 })))
      const p1 = await plain.page(null, { limit: 2 })
      const p2 = await plain.page(p1.next, { limit: 2 })
      t.strictSame([...p1.entries, ...p2.entries].map(e => e.score), [0, 0.1, 0.2, 0.3], 'non-integer scores round-trip through cursors')
      t.not(p2.next, null)
      t.strictSame((await plain.page(p2.next, { limit: 2 })).entries, [])
    })
  })
}

// The player view: PlayerIndex.view(member) lists the member's score and rank on every board and
// period it is on (boards with `playerIndex: true`), kept by the same write that changes a board.
import { test } from 'tap'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { PlayerIndex } from '../../lib/leaderboard/player-index.js'
import { startTopology, topologies } from '../helpers/redis.js'
import { boardName } from '../helpers/leaderboard.js'

const DAY = 86_400_000

for (const topology of topologies()) {
  test(`player view (${topology})`, async t => {
    const redis = (await startTopology(t, topology)).client()
    const players = new PlayerIndex(redis)

    await t.test('every board and period the member is on, with score and rank; unindexed boards are not listed', async t => {
      const allTime = new Leaderboard(redis, boardName('pv-all'), { playerIndex: true })
      const weekly = new Leaderboard(redis, boardName('pv-week'), { playerIndex: true, period: 'week' })
      const laps = new Leaderboard(redis, boardName('pv-laps'), { playerIndex: true, order: 'asc', tieBreak: 'first', maxScore: 100_000 })
      const plain = new Leaderboard(redis, boardName('pv-plain'))
      await allTime.submitMany([{ member: 'ada', score: 500 }, { member: 'bob', score: 900 }])
      await weekly.increment('ada', 40)
      await weekly.period(-1).submit('ada', 70)
      await laps.submit('ada', 61_000)
      await laps.submit('cy', 59_000)
      await plain.submit('ada', 1)
      const view = await players.view('ada')
      t.strictSame(view.map(s => [s.board, s.period, s.current, s.score, s.rank]), [
        [allTime.name, null, true, 500, 2],
        [laps.name, null, true, 61_000, 2],
        [weekly.name, weekly.periodId, true, 40, 1],
        [weekly.name, weekly.period(-1).periodId, false, 70, 1]
      ].sort((a, b) => a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0))
      await allTime.submit('dan', 1000)
      t.equal((await players.view('ada')).find(s => s.board === allTime.name)?.rank, 3, 'ranks are read live')
      t.strictSame((await players.view('bob')).map(s => s.board), [allTime.name], 'a member of submitMany is indexed too')
      t.strictSame(await players.view('nobody'), [])
    })

    await t.test('a member no longer on a board (removed, trimmed) is not shown there', async t => {
      const b = new Leaderboard(redis, boardName('pv-trim'), { playerIndex: true, maxMembers: 1 })
      await b.submit('low', 1)
      t.equal((await players.view('low')).length, 1)
      await b.submit('high', 2)
      t.strictSame(await players.view('low'), [], 'trimmed by maxMembers')
      await b.remove('high')
      t.strictSame(await players.view('high'), [], 'removed')
    })

    await t.test('a refused write leaves nothing in the view', async t => {
      const b = new Leaderboard(redis, boardName('pv-refused'), { playerIndex: true, maxScore: 10 })
      await t.rejects(b.increment('eve', 11), { code: 'FRP_LEADERBOARD_SCORE_RANGE' })
      t.strictSame(await players.view('eve'), [])
      if (topology === 'standalone') {
        t.equal(await redis.exists('frp:leaderboard-player:{eve}'), 0, 'standalone: board and index are written together or not at all')
      }
    })

    await t.test('entries of expired periods are skipped and pruned; an index of periodic boards expires with them', async t => {
      const past = new Leaderboard(redis, boardName('pv-old'), { playerIndex: true, period: 'day', keep: 1, now: () => Date.now() - 30 * DAY })
      const today = new Leaderboard(redis, boardName('pv-today'), { playerIndex: true, period: 'day', keep: 1 })
      await today.submit('fay', 6)
      await past.submit('fay', 5)
      const idx = 'frp:leaderboard-player:{fay}'
      t.equal(Object.keys(await redis.hgetall(idx)).filter(f => !f.startsWith('#')).length, 2)
      t.strictSame((await players.view('fay')).map(s => s.board), [today.name])
      t.equal(Object.keys(await redis.hgetall(idx)).filter(f => !f.startsWith('#')).length, 1, 'the expired entry was pruned')
      const ttl = await redis.pttl(idx)
      t.ok(ttl > 0 && ttl <= DAY, `the index expires with today's board (pttl ${ttl})`)
      await new Leaderboard(redis, boardName('pv-forever'), { playerIndex: true }).submit('fay', 1)
      t.equal(await redis.pttl(idx), -1, 'listing a non-expiring board makes the index permanent')
    })

    await t.test('bad member ids are coded 400 errors', async t => {
      for (const bad of ['', 'x'.repeat(300), 42]) {
        await t.rejects(players.view(bad as string), { code: 'FRP_LEADERBOARD_MEMBER', statusCode: 400 })
        await t.rejects(players.erase(bad as string), { code: 'FRP_LEADERBOARD_MEMBER', statusCode: 400 })
      }
      t.throws(() => new PlayerIndex(redis, { bogus: 1 } as never), { code: 'FRP_INVALID_OPTION' })
    })
  })
}

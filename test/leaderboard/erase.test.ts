// PlayerIndex.erase(member): the member leaves every indexed board, period and roll-up, with its
// metadata and its index, in one call (the right to be forgotten). On Cluster, where a write takes
// two steps (index entry, then board), an erase racing a write never leaves a score that no index
// lists: the erase fence refuses a write indexed before the erase that reaches its board after it.
import { test } from 'tap'
import type { Cluster, Redis } from 'ioredis'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { PlayerIndex } from '../../lib/leaderboard/player-index.js'
import { scripts } from '../../lib/leaderboard/scripts.js'
import { startTopology, topologies } from '../helpers/redis.js'
import { boardName } from '../helpers/leaderboard.js'

/** Keys holding `text`, on every master. */
async function keysWith (redis: Redis | Cluster, text: string): Promise<string[]> {
  const nodes = 'nodes' in redis && typeof redis.nodes === 'function' ? (redis as Cluster).nodes('master') : [redis as Redis]
  const all = await Promise.all(nodes.map(n => n.keys(`*${text}*`)))
  return all.flat().sort()
}

for (const topology of topologies()) {
  test(`erase (${topology})`, async t => {
    const redis = (await startTopology(t, topology)).client()
    const players = new PlayerIndex(redis)

    await t.test('one call removes the member from every board, period and roll-up, its metadata and its index', async t => {
      const daily = new Leaderboard(redis, boardName('er-daily'), { playerIndex: true, period: 'day', keep: 3 })
      const allTime = new Leaderboard(redis, boardName('er-all'), { playerIndex: true })
      const other = new Leaderboard(redis, boardName('er-other'))
      await daily.submit('zoe', 10, { meta: { email: 'zoe@example.com' } })
      await daily.period(-1).submit('zoe', 7)
      await daily.submit('kim', 3)
      await allTime.submit('zoe', 99, { meta: { email: 'zoe@example.com' } })
      await other.submit('zoe', 1)
      const rolled = await daily.rollup('three-days', { periods: 3 })
      t.equal(await rolled.score('zoe'), 17)
      t.equal((await players.view('zoe')).length, 3)

      t.strictSame(await players.erase('zoe'), { removed: 4 }, 'two periods, the all-time board and the roll-up')
      t.strictSame(await players.view('zoe'), [])
      for (const b of [daily, daily.period(-1), allTime, rolled]) t.equal(await b.score('zoe'), null, `gone from ${b.key}`)
      t.equal(await daily.getMetadata('zoe'), null, 'metadata gone')
      t.equal(await allTime.getMetadata('zoe'), null)
      t.equal(await daily.score('kim'), 3, 'other members stay')
      t.equal(await other.score('zoe'), 1, 'a board without playerIndex is not reached (documented)')
      const left = (await keysWith(redis, 'zoe')).filter(k => !k.includes(':erased'))
      t.strictSame(left, [], 'no key names the member any more (fences expire: fenceTtl)')
      t.strictSame(await players.erase('zoe'), { removed: 0 }, 'erasing again is a no-op')
      t.strictSame(await keysWith(redis, 'never-seen'), [])
      t.strictSame(await players.erase('never-seen'), { removed: 0 })
      t.strictSame(await keysWith(redis, 'never-seen'), [], 'erasing an unknown member writes nothing')
    })

    await t.test('a write after the erase is indexed again', async t => {
      const b = new Leaderboard(redis, boardName('er-again'), { playerIndex: true })
      await b.submit('lee', 5)
      await players.erase('lee')
      await b.submit('lee', 6)
      t.strictSame((await players.view('lee')).map(s => s.score), [6])
    })

    await t.test('the fence: a write indexed before the erase that reaches its board after it is refused', async t => {
      // The two steps of a Cluster write, run by hand around an erase.
      const b = new Leaderboard(redis, boardName('er-fence'), { playerIndex: true })
      const idx = 'frp:leaderboard-player:{ivy}'
      const entry = JSON.stringify({ b: b.name, p: null, e: 0, o: 'desc', M: 1, lo: -Number.MAX_SAFE_INTEGER, m: `frp:leaderboard:{${b.name}}:meta` })
      const gen = await scripts.run<number>(redis, 'index-add', [idx], [b.key, entry, 0])
      await players.erase('ivy')
      const common = ['replace', 'desc', 1, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 0, 1000, 0, 0, 0, '1']
      const fence = `frp:leaderboard:{${b.name}}:erased`
      const reply = await scripts.run<unknown[]>(redis, 'submit-fenced', [b.key, `frp:leaderboard:{${b.name}}:meta`, fence], [...common, 1, gen, 'ivy', 5, ''])
      if (topology === 'cluster') {
        t.strictSame(reply, [-2, 1], 'refused: the erase had passed the board')
        t.equal(await b.score('ivy'), null)
        // A write indexed after the erase goes through.
        const later = await scripts.run<number>(redis, 'index-add', [idx], [b.key, entry, 0])
        t.ok(later > gen)
        t.strictSame(await scripts.run(redis, 'submit-fenced', [b.key, `frp:leaderboard:{${b.name}}:meta`, fence], [...common, 1, later, 'ivy', 6, '']), ['6', 1])
      } else {
        // Standalone writes are atomic with their index entry: erase raises no fence (no member id left behind).
        t.equal(await redis.exists(fence), 0)
        t.strictSame(reply, ['5', 1])
      }
    })

    await t.test('writes racing erases: every board the member is on stays listed in its index', async t => {
      const boards = [0, 1, 2].map(i => new Leaderboard(redis, boardName(`er-race-${i}`), { playerIndex: true, update: 'increment' }))
      let refused = 0
      for (let round = 0; round < 30; round++) {
        const member = `racer-${round % 3}`
        const writes = boards.map((b, i) => b.increment(member, i + 1).catch((err: { code?: string }) => {
          if (err.code !== 'FRP_LEADERBOARD_ERASED') throw err
          refused++
        }))
        await Promise.all([...writes, players.erase(member), boards[round % 3].submit(member, 1)])
        for (const m of ['racer-0', 'racer-1', 'racer-2']) {
          const listed = new Set(Object.keys(await redis.hgetall(`frp:leaderboard-player:{${m}}`)))
          for (const b of boards) {
            if (await b.score(m) !== null && !listed.has(b.key)) t.fail(`round ${round}: ${m} is on ${b.name} but not in its index`)
          }
        }
      }
      for (const m of ['racer-0', 'racer-1', 'racer-2']) await players.erase(m)
      for (const b of boards) t.equal(await b.count(), 0, `${b.name}: the last erases reached every board`)
      t.comment(`${refused} racing writes refused by a fence`)
    })
  })
}

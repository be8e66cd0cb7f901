import { test } from 'tap'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { startTopology, topologies } from '../helpers/redis.js'
import { boardName } from '../helpers/leaderboard.js'
import { nextRedisMs } from '../helpers/redis-time.js'

for (const topology of topologies()) {
  test(`ordering and update policies (${topology})`, async t => {
    const h = await startTopology(t, topology)
    const redis = h.client()

    await t.test('desc board ranks higher scores first; asc board lower first', async t => {
      const desc = new Leaderboard(redis, boardName('desc'))
      const asc = new Leaderboard(redis, boardName('asc'), { order: 'asc' })
      for (const b of [desc, asc]) {
        await b.submitMany([{ member: 'a', score: 10 }, { member: 'b', score: 30 }, { member: 'c', score: 20 }])
      }
      t.strictSame((await desc.top(3)).map(e => [e.member, e.score, e.rank]), [['b', 30, 1], ['c', 20, 2], ['a', 10, 3]])
      t.strictSame((await asc.top(3)).map(e => [e.member, e.score, e.rank]), [['a', 10, 1], ['c', 20, 2], ['b', 30, 3]])
      t.strictSame((await desc.top(2, 1)).map(e => [e.member, e.rank]), [['c', 2], ['a', 3]], 'offset skips and ranks stay absolute')
      t.strictSame(await desc.top(5, 10), [], 'offset past the end is an empty page')
    })

    await t.test("tieBreak 'first': among equal scores whoever reached the score first ranks higher", async t => {
      for (const order of ['desc', 'asc'] as const) {
        const b = new Leaderboard(redis, boardName('tie'), { order, tieBreak: 'first', tieBreakResolution: 1, maxScore: 1000 })
        // Names chosen so neither lexical order matches the arrival order.
        await b.submit('zed', 100)
        await nextRedisMs(redis)
        await b.submit('amy', 100)
        await nextRedisMs(redis)
        await b.submit('bob', 100)
        await b.submit('top', order === 'desc' ? 101 : 99)
        t.strictSame((await b.top(4)).map(e => e.member), ['top', 'zed', 'amy', 'bob'], `${order}: arrival order among ties`)
        t.strictSame((await b.top(4)).map(e => e.score), [order === 'desc' ? 101 : 99, 100, 100, 100], 'scores decode exactly')
        t.equal(await b.rank('bob'), 4)
        t.equal(await b.rank('bob', { style: 'competition' }), 2)
        const info = await b.info('zed')
        t.ok(info !== null && info.reachedAt! > Date.now() - 60_000, 'reachedAt is the Redis time of the submission')
      }
    })

    await t.test("tieBreak 'first': improving and then falling back to a tied score counts from the new time", async t => {
      const b = new Leaderboard(redis, boardName('tie-replace'), { update: 'replace', tieBreak: 'first', tieBreakResolution: 1, maxScore: 1000 })
      await b.submit('early', 50)
      await nextRedisMs(redis)
      await b.submit('late', 50)
      t.strictSame((await b.top(2)).map(e => e.member), ['early', 'late'])
      const same = await b.submit('early', 50)
      t.equal(same.changed, false, 'resubmitting the same score keeps the original time')
      t.strictSame((await b.top(2)).map(e => e.member), ['early', 'late'])
      await nextRedisMs(redis)
      await b.submit('early', 40)
      await b.submit('early', 50)
      t.strictSame((await b.top(2)).map(e => e.member), ['late', 'early'], 'the score was reached again, later')
    })

    await t.test("update 'best' keeps the better score, atomically", async t => {
      const desc = new Leaderboard(redis, boardName('best'))
      t.strictSame(await desc.submit('p', 10), { member: 'p', score: 10, changed: true })
      t.strictSame(await desc.submit('p', 5), { member: 'p', score: 10, changed: false })
      t.strictSame(await desc.submit('p', 12), { member: 'p', score: 12, changed: true })
      t.strictSame(await desc.submit('p', 12), { member: 'p', score: 12, changed: false }, 'an equal score changes nothing')
      t.strictSame(await desc.submit('p', 11.5), { member: 'p', score: 12, changed: false }, 'the kept score is read back')
      const asc = new Leaderboard(redis, boardName('best-asc'), { order: 'asc' })
      await asc.submit('p', 10)
      t.strictSame(await asc.submit('p', 12), { member: 'p', score: 10, changed: false })
      t.strictSame(await asc.submit('p', 9.5), { member: 'p', score: 9.5, changed: true })
      // 50 concurrent submissions: the best one wins whatever the interleaving.
      const c = new Leaderboard(redis, boardName('best-race'))
      await Promise.all(Array.from({ length: 50 }, (_, i) => c.submit('p', (i * 37) % 50)))
      t.equal(await c.score('p'), 49)
    })

    await t.test("update 'replace' stores the last score; 'increment' adds", async t => {
      const r = new Leaderboard(redis, boardName('replace'), { update: 'replace' })
      await r.submit('p', 10)
      t.strictSame(await r.submit('p', 3), { member: 'p', score: 3, changed: true })
      t.equal(await r.score('p'), 3)
      const i = new Leaderboard(redis, boardName('incr'), { update: 'increment' })
      await Promise.all(Array.from({ length: 20 }, () => i.submit('p', 5)))
      t.equal(await i.score('p'), 100, 'concurrent increments are all counted')
      t.strictSame(await i.increment('p', -30), { member: 'p', score: 70, changed: true })
      t.strictSame(await r.increment('p', 4), { member: 'p', score: 7, changed: true }, 'increment() works under any policy')
      const tb = new Leaderboard(redis, boardName('incr-tie'), { update: 'increment', tieBreak: 'first', maxScore: 100 })
      await tb.submit('p', 60)
      await t.rejects(tb.submit('p', 60), { code: 'FRP_LEADERBOARD_SCORE_RANGE' }, 'a sum above maxScore is rejected')
      t.equal(await tb.score('p'), 60, 'nothing was written')
    })

    await t.test('submitMany is all-or-nothing and applies repeated members in order', async t => {
      const b = new Leaderboard(redis, boardName('many'), { update: 'increment', maxScore: 100 })
      const res = await b.submitMany([{ member: 'a', score: 10 }, { member: 'a', score: 15 }, { member: 'b', score: 1 }])
      t.strictSame(res.map(r => r.score), [10, 25, 1])
      await t.rejects(b.submitMany([{ member: 'c', score: 1 }, { member: 'a', score: 90 }]), { code: 'FRP_LEADERBOARD_SCORE_RANGE' })
      t.equal(await b.score('c'), null, 'the valid entry of a rejected batch was not written')
      await t.rejects(b.submitMany([{ member: 'd', score: 1 }, { member: '', score: 1 }]), { code: 'FRP_LEADERBOARD_MEMBER' })
      t.equal(await b.count(), 2)
      t.strictSame(await b.submitMany([]), [])
      const big = Array.from({ length: 5000 }, (_, i) => ({ member: `m${i}`, score: i % 100 }))
      t.equal((await b.submitMany(big)).length, 5000, 'large batches are written in chunks inside the script')
    })

    await t.test('maxMembers trims the board to the best N', async t => {
      const b = new Leaderboard(redis, boardName('trim'), { maxMembers: 3 })
      await b.submitMany([1, 5, 3, 9, 7].map((s, i) => ({ member: `m${i}`, score: s, meta: { i } })))
      t.strictSame((await b.top(10)).map(e => e.score), [9, 7, 5])
      t.equal(await b.getMetadata('m0'), null, 'metadata of trimmed members is deleted')
      t.strictSame(await b.getMetadata('m3'), { i: 3 })
      const asc = new Leaderboard(redis, boardName('trim-asc'), { order: 'asc', maxMembers: 2 })
      await asc.submitMany([4, 2, 8].map((s, i) => ({ member: `m${i}`, score: s })))
      t.strictSame((await asc.top(10)).map(e => e.score), [2, 4])
    })

    await t.test('count, remove, reset and metadata', async t => {
      const b = new Leaderboard(redis, boardName('misc'))
      await b.submit('a', 1, { meta: { name: 'Ada' } })
      await b.submit('b', 2)
      await b.setMetadata('b', { name: 'Bob', since: new Date(0) })
      t.equal(await b.count(), 2)
      t.strictSame(await b.getMetadata('a'), { name: 'Ada' })
      t.strictSame((await b.top(2, 0, { meta: true })).map(e => e.meta), [{ name: 'Bob', since: new Date(0) }, { name: 'Ada' }])
      const bare = new Leaderboard(redis, boardName('no-meta'))
      await bare.submitMany([{ member: 'x', score: 2 }, { member: 'y', score: 1 }])
      t.strictSame(await bare.top(5, 0, { meta: true }), [{ member: 'x', score: 2, rank: 1, meta: null }, { member: 'y', score: 1, rank: 2, meta: null }],
        'a board that never stored metadata reads every meta as null')
      t.strictSame(await bare.top(5, 5, { meta: true }), [], 'an empty page with meta')
      t.equal(await b.remove('a'), true)
      t.equal(await b.remove('a'), false)
      t.equal(await b.getMetadata('a'), null, 'remove deletes the metadata')
      t.equal(await b.score('a'), null)
      t.equal(await b.rank('a'), null)
      await b.reset()
      t.equal(await b.count(), 0)
      t.equal(await b.getMetadata('b'), null)
    })
  })
}

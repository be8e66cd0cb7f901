// The HTTP routes of the leaderboard additions: GET /:board/by-score (rangeByScore), and the player
// routes GET / DELETE /players/:member (view, erase; the DELETE behind the write hooks).
import { test } from 'tap'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { redisLeaderboard } from '../../plugins/leaderboard.js'
import { startTopology, topologies, startRedis } from '../helpers/redis.js'
import { pluginApp } from '../helpers/app.js'

const auth = { authorization: 'Bearer ok' }
const onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
  if (request.headers.authorization !== 'Bearer ok') return await reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'log in' })
}

for (const topology of topologies()) {
  test(`by-score and player routes (${topology})`, async t => {
    const h = await startTopology(t, topology)
    const app = await pluginApp(t, h.client(), redisLeaderboard, {
      defaults: { playerIndex: true },
      boards: { weekly: { period: 'week' }, alltime: {}, tb: { tieBreak: 'first', maxScore: 1000 } },
      routes: { maxLimit: 3, onRequest }
    })
    for (const [m, s] of [['a', 100], ['b', 150], ['c', 175], ['d', 200], ['e', 250]] as const) {
      await app.leaderboard('weekly').submit(m, s, { meta: m === 'c' ? { name: 'Cy' } : undefined })
      await app.leaderboard('tb').submit(m, s)
    }
    await app.leaderboard('alltime').submit('c', 9000)

    await t.test('GET /:board/by-score: the members in [min, max], best first, with ranks and metadata', async t => {
      for (const board of ['weekly', 'tb']) {
        const res = await app.inject(`/leaderboards/${board}/by-score?min=150&max=200`)
        t.equal(res.statusCode, 200, res.body)
        t.match(res.json(), { board, entries: [{ member: 'd', score: 200, rank: 2, meta: null }, { member: 'c', score: 175, rank: 3 }, { member: 'b', score: 150, rank: 4 }] })
      }
      t.strictSame((await app.inject('/leaderboards/weekly/by-score?min=150&max=200')).json().entries[1].meta, { name: 'Cy' })
      t.match((await app.inject('/leaderboards/weekly/by-score')).json().period, /^\d{4}-W\d{2}$/)
      t.equal((await app.inject('/leaderboards/weekly/by-score')).json().entries.length, 3, 'open ends; the limit is capped')
      t.strictSame((await app.inject('/leaderboards/weekly/by-score?min=160&offset=1&limit=1')).json().entries.map((e: { member: string }) => e.member), ['d'])
    })

    await t.test('GET /:board/by-score: bad input is a 400 naming the field', async t => {
      const cases: Array<[string, string]> = [['min=abc', 'min'], ['max=200&min=300', 'max'], ['min=Infinity', 'min'], ['max=-Infinity', 'max'],
        ['limit=0', 'limit'], ['offset=-1', 'offset']]
      for (const [q, field] of cases) {
        const res = await app.inject(`/leaderboards/tb/by-score?${q}`)
        t.equal(res.statusCode, 400, `${q}: ${res.body}`)
        t.match(res.json().message, new RegExp(field), `${q}: names ${field}`)
      }
      t.equal((await app.inject('/leaderboards/nope/by-score')).statusCode, 404)
    })

    await t.test('GET /players/:member: the member on every board', async t => {
      const res = await app.inject('/leaderboards/players/c')
      t.equal(res.statusCode, 200)
      t.match(res.json(), {
        member: 'c',
        standings: [{ board: 'alltime', period: null, current: true, score: 9000, rank: 1 }, { board: 'tb', period: null, score: 175, rank: 3 },
          { board: 'weekly', period: /^\d{4}-W\d{2}$/, current: true, score: 175, rank: 3 }]
      })
      t.strictSame((await app.inject('/leaderboards/players/nobody')).json(), { member: 'nobody', standings: [] })
      t.equal((await app.inject('/leaderboards/players/' + 'x'.repeat(90))).statusCode, 200, 'long ids within the limits are fine')
    })

    await t.test('DELETE /players/:member: erases the member everywhere, behind the write hooks', async t => {
      t.equal((await app.inject({ method: 'DELETE', url: '/leaderboards/players/c' })).statusCode, 401)
      t.equal(await app.leaderboard('alltime').score('c'), 9000, 'nothing erased without auth')
      const res = await app.inject({ method: 'DELETE', url: '/leaderboards/players/c', headers: auth })
      t.strictSame(res.json(), { member: 'c', removed: 3 })
      t.strictSame((await app.inject('/leaderboards/players/c')).json().standings, [])
      t.equal(await app.leaderboard('weekly').getMetadata('c'), null, 'metadata erased')
      t.strictSame((await app.inject({ method: 'DELETE', url: '/leaderboards/players/c', headers: auth })).json(), { member: 'c', removed: 0 })
    })
  })
}

test('"players" is the path of the player routes: not a board name while routes are mounted', async t => {
  const client = (await startRedis(t)).client()
  await t.rejects(pluginApp(t, client, redisLeaderboard, { boards: { players: {} }, routes: true }), { code: 'FRP_INVALID_OPTION', message: /boards\.players/ })
  const app = await pluginApp(t, client, redisLeaderboard, { routes: { autoCreate: true } })
  t.equal((await app.inject({ method: 'POST', url: '/leaderboards/players/scores', payload: { member: 'x', score: 1 } })).statusCode, 404)
})

// Numbers the leaderboard routes' schemas accept. Regression for issue 15 item 4: `type: integer`
// without a maximum lets Ajv's coercion through with '1e309' (Infinity), '1e300' and 2^63
// (`?limit=Infinity` was served as "capped"); a JSON score of 1e309 parses to Infinity. Every
// numeric field must answer a 4xx naming the field, and the core must refuse such numbers with a
// coded error before Redis sees them.
import { test } from 'tap'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { startRedis } from '../helpers/redis.js'
import { attackRequest, collectNumericFields, HOSTILE_NUMBERS, ODD_NUMBERS } from '../helpers/number-attacks.js'
import { redisLeaderboard } from '../../plugins/leaderboard.js'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { boardName } from '../helpers/leaderboard.js'

test('every numeric field of every leaderboard route answers hostile numbers with a 4xx naming it', async t => {
  const client = (await startRedis(t)).client()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client, closeClient: false })
  const fields = collectNumericFields(app)
  await app.register(redisLeaderboard, {
    defaults: { prefix: `n${process.pid}` },
    boards: { main: {}, tb: { tieBreak: 'first', maxScore: 1000 }, small: { minScore: -10, maxScore: 10 } },
    routes: { maxLimit: 5, maxRadius: 2 }
  })
  await app.ready()
  // A member on every board, so the member routes reach the numbers they are given.
  for (const board of ['main', 'tb', 'small']) await app.leaderboard(board).submit('ada', 1)

  const names = fields.map(f => `${f.method} ${f.url} ${f.part}.${f.path.join('.')}`)
  for (const expected of ['POST /leaderboards/:board/scores body.score', 'GET /leaderboards/:board/top querystring.limit',
    'GET /leaderboards/:board/top querystring.offset', 'GET /leaderboards/:board/members/:member/around querystring.radius']) {
    t.ok(names.includes(expected), `found ${expected}`)
  }

  for (const board of ['main', 'tb', 'small']) {
    const base = { params: { board, member: 'ada' }, body: { member: 'ada', score: 1 } }
    for (const field of fields) {
      const name = field.path[field.path.length - 1]
      for (const value of HOSTILE_NUMBERS) {
        const res = await app.inject(attackRequest(field, value, base))
        const where = `${board}: ${field.method} ${field.url} ${field.part}.${field.path.join('.')}=${value}`
        t.ok(res.statusCode >= 400 && res.statusCode < 500, `${where}: 4xx (got ${res.statusCode} ${res.body})`)
        t.match(String(res.json().message).toLowerCase(), name.toLowerCase(), `${where}: the message names the field`)
      }
      for (const value of ODD_NUMBERS) {
        const res = await app.inject(attackRequest(field, value, base))
        t.ok(res.statusCode < 500, `${board}: ${field.method} ${field.url} ${field.path.join('.')}=${value}: no 5xx (got ${res.statusCode} ${res.body})`)
      }
    }
    t.strictSame(await app.leaderboard(board).score('ada'), 1, `${board}: no hostile score was stored`)
  }
  // Spelled out: an infinite limit used to be served (capped) instead of refused.
  const res = await app.inject('/leaderboards/main/top?limit=Infinity')
  t.equal(res.statusCode, 400)
  t.match(res.json().message, /limit/)
  t.equal((await app.inject('/leaderboards/main/top?limit=1000')).json().entries.length, 1, 'a finite limit above the cap is still capped')
})

test('Leaderboard methods refuse numbers Redis cannot take with a coded 400', async t => {
  const client = (await startRedis(t)).client()
  const board = new Leaderboard(client, boardName('nums'), { prefix: `n${process.pid}` })
  const daily = new Leaderboard(client, boardName('nums-d'), { prefix: `n${process.pid}`, period: 'day' })
  await board.submit('ada', 1)
  const hostile = [1e300, Infinity, -Infinity, NaN, 2 ** 63, 1e20, 2 ** 53 + 2, 1.5, '5' as unknown as number]
  for (const v of hostile) {
    const arg = { code: 'FRP_LEADERBOARD_ARGUMENT', statusCode: 400 }
    await t.rejects(board.top(v), { ...arg, message: /limit/ }, `top limit ${String(v)}`)
    await t.rejects(board.top(1, v), { ...arg, message: /offset/ }, `top offset ${String(v)}`)
    await t.rejects(board.page(null, { limit: v }), { ...arg, message: /limit/ }, `page limit ${String(v)}`)
    await t.rejects(board.around('ada', v), { ...arg, message: /radius/ }, `around radius ${String(v)}`)
    t.throws(() => daily.period(v), { ...arg, message: /offset/ }, `period offset ${String(v)}`)
    await t.rejects(daily.rollup('r', { periods: v }), { ...arg, message: /periods/ }, `rollup periods ${String(v)}`)
    // A rollup ttl is a duration: '5' is 5 ms there (ms or a duration string, issue 18), not hostile.
    if (typeof v === 'number') await t.rejects(daily.rollup('r', { ttl: v }), { ...arg, message: /ttl/ }, `rollup ttl ${String(v)}`)
    if (v !== 1.5) { // 1.5 is a valid score without tie-breaking
      await t.rejects(board.submit('bob', v), { code: 'FRP_LEADERBOARD_SCORE_RANGE', statusCode: 400 }, `submit ${String(v)}`)
    }
    await t.rejects(board.increment('ada', v === 1.5 ? Infinity : v), { code: 'FRP_LEADERBOARD_SCORE_RANGE', statusCode: 400 }, `increment ${String(v)}`)
  }
  t.strictSame(await board.score('ada'), 1, 'nothing was written')
  t.strictSame(await board.score('bob'), null)
})

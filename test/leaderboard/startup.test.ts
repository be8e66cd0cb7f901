// Issue 16 item 4: Redis unreachable at startup. The leaderboard plugin used to refuse to register;
// now it registers with only `client` (no @fastify/redis), warns once, answers 503 coded, and
// serves once Redis is up.
import { test } from 'tap'
import { redisLeaderboard } from '../../plugins/leaderboard.js'
import { eventually } from '../helpers/redis.js'
import { downRedis, loggedApp, startupWarnings } from '../helpers/startup.js'

test('Redis down at startup: the app starts, board routes answer 503 coded, then serve once Redis is up', async t => {
  const down = await downRedis(t)
  const logged = loggedApp(t)
  const { app } = logged
  await app.register(redisLeaderboard, { client: down.client, boards: { b: {} }, routes: true })
  await app.ready()

  const warned = startupWarnings(logged, 'leaderboard')
  t.equal(warned.length, 1, 'one startup warning')
  t.equal(warned[0].err, undefined, 'no error object (no stack trace) in the warning')

  const res = await app.inject('/leaderboards/b/top')
  t.equal(res.statusCode, 503)
  t.match(res.json().code, /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/)
  await t.rejects(app.leaderboard('b').submit('ann', 1), { code: /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/, statusCode: 503 })

  await down.up()
  await eventually(async () => (await app.inject({ method: 'POST', url: '/leaderboards/b/scores', payload: { member: 'ann', score: 7 } })).statusCode === 200,
    { ms: 10_000, every: 100, what: 'a score accepted after Redis came up' })
  const top = await app.inject('/leaderboards/b/top')
  t.equal(top.statusCode, 200)
  t.strictSame(top.json().entries.map((e: { member: string, score: number }) => [e.member, e.score]), [['ann', 7]])
})

test('a missing client names the option', async t => {
  const { app } = loggedApp(t)
  app.register(redisLeaderboard, {})
  await t.rejects(async () => { await app.ready() }, { code: 'FRP_INVALID_OPTION', message: /^Invalid option "redisLeaderboard\.client": .*@fastify\/redis/ })
})

// User points as a field of the user's hash: finishing a game earns a bounded number of points
// (HINCRBY), shown on /api/me; a rejected game earns nothing.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { ADA, GRACE, buildApp, loginAs } from '../helpers/example-app.js'
import { MAX_POINTS_PER_AWARD, awardPoints, pointsForScore } from '../../example-app/recipes/points.js'

test('finishing games earns points, bounded per game, shown on /api/me', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  const ada = await loginAs(app, ADA, '10.0.3.1')
  const grace = await loginAs(app, GRACE, '10.0.3.2')
  const me = async (cookie: string) => (await app.inject({ url: '/api/me', headers: { cookie } })).json()
  const finish = async (cookie: string, score: unknown) =>
    await app.inject({ method: 'POST', url: '/api/games/g1/finish', headers: { cookie }, payload: { score } })

  t.equal((await me(ada)).points, 0, 'no points yet')
  t.equal((await finish(ada, 120)).json().points, 1)
  t.equal((await finish(ada, 2500)).json().points, 4, '1 + 3')
  t.equal((await finish(ada, 1_000_000)).json().points, 4 + MAX_POINTS_PER_AWARD, 'a huge score earns the cap')
  t.match(await me(ada), { user: { id: 1, email: ADA.email }, points: 14 })
  t.equal((await me(grace)).points, 0, 'per user')
  t.equal(await redis.client().hget('example:users:{user:1}', 'points'), '14', 'a hash field')

  for (const score of [-1, 1_000_001, 'many', 1.5]) {
    const res = await finish(ada, score)
    t.equal(res.statusCode, 400, `score ${score}`)
    t.match(res.json().message, 'score')
  }
  t.equal((await me(ada)).points, 14, 'rejected games earn nothing')
})

test('the award is bounded in code too, whatever a caller passes', async t => {
  t.equal(pointsForScore(0), 1)
  t.equal(pointsForScore(Number.MAX_SAFE_INTEGER), MAX_POINTS_PER_AWARD)
  const redis = await startRedis(t)
  const client = redis.client()
  for (const n of [0, -5, MAX_POINTS_PER_AWARD + 1, 1.5, Infinity]) {
    await t.rejects(awardPoints(client, 1, n), RangeError, `award ${n}`)
  }
  t.equal(await client.exists('example:users:{user:1}'), 0, 'nothing written')
})

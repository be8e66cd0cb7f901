// The example app on a 3-master Redis Cluster (redisClusterNodes): every data-structure recipe of
// issue 20 and the patterns behind them answer as on one server, keys of one multi-key command or
// script sharing a slot (recipes/keys.ts). The standalone tests beside this one cover each recipe
// in depth; this one pins that none of them needs a single server.
import { test } from 'tap'
import { startCluster, eventually } from '../helpers/redis.js'
import { ADA, ADMIN, GRACE, loginAs, sessionCookie } from '../helpers/example-app.js'
import { exampleApp, mailbox } from '../helpers/otp.js'

test('the example app runs every recipe on a Redis Cluster', async t => {
  const cluster = await startCluster(t)
  const seeds = cluster.nodes.map(n => `${n.host}:${n.port}`).join(',')
  const { server, app } = await exampleApp(t, 'redis://unused:1', { redisClusterNodes: seeds })
  const client = cluster.client()

  const health = await server.inject('/health')
  t.equal(health.statusCode, 200, 'healthy on the Cluster')

  // Passwordless login by one-time code.
  const box = mailbox(app)
  t.equal((await server.inject({ method: 'POST', url: '/api/otp/request', payload: { email: ADA.email } })).statusCode, 202)
  const code = box.codes.get(`login:${ADA.email}`) ?? ''
  const verified = await server.inject({ method: 'POST', url: '/api/otp/verify', payload: { email: ADA.email, code } })
  t.equal(verified.statusCode, 200, 'logged in by code')
  const ada = sessionCookie(verified)
  const grace = await loginAs(server, GRACE, '10.0.9.2')
  const admin = await loginAs(server, ADMIN, '10.0.9.3')

  // Post tags: SINTER / SUNION / SDIFF over sets in one slot.
  const tag = async (id: number, tags: string[]) => await server.inject({ method: 'PUT', url: `/api/posts/${id}/tags`, headers: { cookie: admin }, payload: { tags } })
  t.equal((await tag(1, ['redis', 'sets'])).statusCode, 200)
  t.equal((await tag(2, ['redis'])).statusCode, 200)
  const ids = async (q: string) => (await server.inject(`/api/posts?${q}`)).json().posts.map((p: { id: number }) => p.id)
  t.strictSame(await ids('tags=redis,sets&match=all'), [1])
  t.strictSame(await ids('tags=redis,sets&match=any'), [1, 2])
  t.strictSame((await ids('tags=redis&match=not')).slice(0, 2), [3, 4])

  // View counters and the capped recently viewed list (MULTI on one key).
  for (const id of [3, 4, 3]) t.equal((await server.inject({ url: `/api/products/${id}`, headers: { cookie: ada } })).statusCode, 200)
  t.equal((await server.inject('/api/products/3')).json().views, 3)
  const recent = await server.inject({ url: '/api/me/recently-viewed', headers: { cookie: ada } })
  t.strictSame(recent.json().products.map((p: { id: number }) => p.id), [3, 4])

  // Points (HINCRBY on the user's hash) and the weekly board's range by score.
  for (const [cookie, score] of [[ada, 150], [grace, 220]] as const) {
    t.equal((await server.inject({ method: 'POST', url: '/api/games/g1/finish', headers: { cookie }, payload: { score } })).statusCode, 200)
  }
  t.equal((await server.inject({ url: '/api/me', headers: { cookie: ada } })).json().points, 1)
  const range = await server.inject('/api/leaderboards/weekly/by-score?min=100&max=200')
  t.match(range.json().entries, [{ member: 'user:1', score: 150, rank: 2 }])

  // Daily activity and its counts (BITOP over day keys sharing the activity's slot).
  await eventually(async () => await app.activity.isActive(ADA.id) && await app.activity.isActive(GRACE.id), { what: 'both users marked' })
  t.match((await server.inject({ url: '/api/stats/active', headers: { cookie: ada } })).json(), { dau: 3, wau: 3, mau: 3, streak: { current: 1 } })

  // The admin TTL route: EXPIREAT and PERSIST on a counter.
  const at = Number((await client.time())[0]) + 3600
  const set = await server.inject({ method: 'PUT', url: '/api/admin/ttl/product-views/3', headers: { cookie: admin }, payload: { expireAt: at } })
  t.equal(set.statusCode, 200)
  t.equal(await client.expiretime('example:views:{product:3}'), at)
  t.match((await server.inject({ method: 'DELETE', url: '/api/admin/ttl/product-views/3', headers: { cookie: admin } })).json(), { persisted: true })

  // The nightly roll-up's schedule is registered (one per tick, on the Cluster too).
  const schedules = await server.inject({ url: '/api/queues/reports/schedules', headers: { cookie: admin } })
  t.match(schedules.json().schedules, [{ id: 'nightly-weekly-rollup' }])
})

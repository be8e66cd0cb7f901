// Daily activity in the example app: every request of a logged-in user marks them active (after
// the response), anonymous requests mark nobody, and GET /api/stats/active shows DAU, WAU, MAU and
// the caller's streak (401 when not logged in).
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { ADA, GRACE, loginAs } from '../helpers/example-app.js'
import { exampleApp } from '../helpers/otp.js'

const shift = (day: string, by: number): string => new Date(Date.parse(day + 'T00:00:00Z') + by * 86_400_000).toISOString().slice(0, 10)

test('logged-in requests are counted; /api/stats/active reports the counts and the streak', async t => {
  const redis = await startRedis(t)
  const { server, app } = await exampleApp(t, redis.url)
  t.equal((await server.inject({ url: '/api/stats/active' })).statusCode, 401, 'anonymous: 401')
  for (let i = 0; i < 3; i++) await server.inject({ url: '/api/products/1' })
  const ada = await loginAs(server, ADA, '10.0.4.1')
  const grace = await loginAs(server, GRACE, '10.0.4.2')
  await eventually(async () => await app.activity.isActive(ADA.id) && await app.activity.isActive(GRACE.id), { what: 'both logins marked' })

  const today = app.activity.today()
  await app.activity.mark(ADA.id, shift(today, -1))
  await app.activity.mark(ADA.id, shift(today, -2))
  await app.activity.mark(ADA.id, shift(today, -4))
  await app.activity.mark(5, shift(today, -10)) // within the month, outside the week

  const res = await server.inject({ url: '/api/stats/active', headers: { cookie: ada } })
  t.equal(res.statusCode, 200)
  t.strictSame(res.json(), { day: today, dau: 2, wau: 2, mau: 3, streak: { current: 3, longest: 3, lastActive: today } }, 'anonymous requests marked nobody')
  const other = await server.inject({ url: '/api/stats/active', headers: { cookie: grace } })
  t.match(other.json(), { streak: { current: 1, longest: 1, lastActive: today } }, "the caller's own streak")
})

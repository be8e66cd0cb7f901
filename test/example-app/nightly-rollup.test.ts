// The example app's nightly repeatable job and the weekly board's range by score: the app
// registers the 03:00 UTC schedule at startup (idempotently: a second instance keeps its next
// tick), the job's worker rolls the weekly boards up, and GET /api/leaderboards/weekly/by-score
// lists the players in a score range.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { ADA, ADMIN, GRACE, buildApp, loginAs } from '../helpers/example-app.js'

test('the nightly roll-up is scheduled once, runs as a job, and the weekly board answers by score', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  const admin = await loginAs(app, ADMIN, '10.0.0.2')

  const schedules = await app.inject({ url: '/api/queues/reports/schedules', headers: { cookie: admin } })
  t.equal(schedules.statusCode, 200)
  const [nightly] = schedules.json().schedules
  t.match(nightly, { id: 'nightly-weekly-rollup', cron: '0 3 * * *', tz: 'UTC', name: 'rollup-weekly' })
  t.equal(new Date(nightly.next).getUTCHours(), 3, 'next run at 03:00 UTC')
  t.equal((await app.inject({ url: '/api/queues/reports/schedules' })).statusCode, 401, 'schedules are for admins')

  // A second instance of the app registers the same schedule: its next tick stays.
  const second = await buildApp(t, redis.url)
  const again = await second.inject({ url: '/api/queues/reports/schedules/nightly-weekly-rollup', headers: { cookie: await loginAs(second, ADMIN, '10.0.0.5') } })
  t.equal(again.json().next, nightly.next)

  for (const [who, score, ip] of [[ADA, 150, '10.0.0.3'], [GRACE, 220, '10.0.0.4']] as const) {
    const cookie = await loginAs(app, who, ip)
    t.equal((await app.inject({ method: 'POST', url: '/api/games/g1/finish', headers: { cookie }, payload: { score } })).statusCode, 200)
  }
  const range = await app.inject('/api/leaderboards/weekly/by-score?min=100&max=200')
  t.equal(range.statusCode, 200)
  t.match(range.json().entries, [{ member: 'user:1', score: 150, rank: 2 }])
  t.equal(range.json().entries.length, 1, 'only the players between 100 and 200')
  const bad = await app.inject('/api/leaderboards/weekly/by-score?min=300&max=200')
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /max/)

  // What the schedule adds at 03:00, added by hand: the worker rolls the weeks up.
  const added = await app.inject({ method: 'POST', url: '/api/queues/reports/jobs', headers: { cookie: admin }, payload: { name: 'rollup-weekly' } })
  t.equal(added.statusCode, 201)
  const report = await eventually(async () => {
    const r = (await app.inject('/api/reports/four-weeks')).json()
    return r.entries.length === 2 ? r : null
  }, { ms: 20_000, what: 'the roll-up' })
  t.strictSame(report.entries.map((e: { member: string, score: number }) => [e.member, e.score]), [['user:2', 220], ['user:1', 150]])
})

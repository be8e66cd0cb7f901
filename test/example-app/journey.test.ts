// End to end: one user's journey through every route of the example app, on a real Redis.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { ADA, ADMIN, buildApp, loginAs, sessionCookie } from '../helpers/example-app.js'

test('a user journey through every pattern of the example app', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)

  t.equal((await app.inject('/health')).json().status, 'ok')
  // Ada edits her own profile; the admin (logging in from another address, so Ada's logins
  // below stay within the per-IP login limit) runs the shop.
  const ada = await loginAs(app, ADA)
  const admin = await loginAs(app, ADMIN, '10.0.0.2')

  // Users: route cache MISS then HIT, invalidated by PATCH (tags).
  const first = await app.inject('/api/users/1')
  t.equal(first.statusCode, 200)
  t.equal(first.headers['x-cache'], 'MISS')
  const second = await app.inject('/api/users/1')
  t.equal(second.headers['x-cache'], 'HIT')
  t.same(second.json(), first.json())
  t.equal(second.headers['cache-control'], 'public, max-age=0', 'browsers revalidate (their copy would miss invalidations)')
  const revalidated = await app.inject({ url: '/api/users/1', headers: { 'if-none-match': String(second.headers.etag) } })
  t.equal(revalidated.statusCode, 304, 'an unchanged profile revalidates with a 304')
  t.equal((await app.inject({ method: 'PATCH', url: '/api/users/1', headers: { cookie: ada }, payload: { name: 'Ada L.' } })).json().name, 'Ada L.')
  const after = await app.inject('/api/users/1')
  t.equal(after.headers['x-cache'], 'MISS', 'PATCH dropped the cached response')
  t.equal(after.json().name, 'Ada L.')
  t.equal((await app.inject('/api/users/1/profile')).json().initials, 'AD')
  t.equal((await app.inject('/api/users/999')).statusCode, 404)
  t.equal((await app.inject('/api/users/999/profile')).statusCode, 404)
  // Ada's editing session ends here, so the session checks below count only their own.
  await app.inject({ method: 'POST', url: '/api/logout', headers: { cookie: ada } })

  // Products: write-through then cached read.
  const put = await app.inject({ method: 'PUT', url: '/api/products/3', headers: { cookie: admin }, payload: { name: 'Lamp', priceCents: 1999, stock: 7 } })
  t.equal(put.statusCode, 200)
  t.equal(put.json().name, 'Lamp')
  t.equal((await app.inject('/api/products/3')).json().priceCents, 1999)
  t.equal((await app.inject('/api/products/12345')).statusCode, 404)

  // Page views: write-behind, flushed to SQLite.
  for (let i = 0; i < 5; i++) t.equal((await app.inject({ method: 'POST', url: '/api/posts/2/views' })).statusCode, 202)
  await app.inject({ method: 'POST', url: '/api/posts/views/flush', headers: { cookie: admin } })
  await eventually(async () => (await app.inject('/api/posts/2')).json().views === 5, { what: 'views flushed to SQLite' })
  t.pass('5 views reached SQLite')

  // Auth and sessions.
  t.equal((await app.inject('/api/me')).statusCode, 401)
  const bad = await app.inject({ method: 'POST', url: '/api/login', payload: { email: 'ada@example.com', password: 'nope' } })
  t.equal(bad.statusCode, 401)
  const login = await app.inject({ method: 'POST', url: '/api/login', payload: { email: 'ada@example.com', password: 'password' } })
  t.equal(login.statusCode, 200)
  const cookie = sessionCookie(login)
  const other = sessionCookie(await app.inject({ method: 'POST', url: '/api/login', payload: { email: 'ada@example.com', password: 'password' } }))
  const me = await app.inject({ url: '/api/me', headers: { cookie } })
  t.equal(me.json().user.email, 'ada@example.com')
  const sessions = await app.inject({ url: '/api/me/sessions', headers: { cookie } })
  t.equal(sessions.json().sessions.length, 2)
  t.equal((await app.inject({ method: 'POST', url: '/api/me/sessions/logout-all', headers: { cookie } })).json().destroyed, 1)
  t.equal((await app.inject({ url: '/api/me', headers: { cookie: other } })).statusCode, 401, 'the other session was logged out')

  // Payments under a lock with a fencing token.
  const paid = await app.inject({ method: 'POST', url: '/api/payments/5/process', headers: { cookie: admin } })
  t.equal(paid.json().status, 'processed')
  t.equal((await app.inject({ method: 'POST', url: '/api/payments/5/process', headers: { cookie: admin } })).json().status, 'already-processed')
  const payment = (await app.inject({ url: '/api/payments/5', headers: { cookie: admin } })).json()
  t.equal(payment.processCount, 1)
  t.equal(payment.fencingToken, paid.json().fencingToken)

  // Leaderboards: a player's score comes from the game route (a session); reads are public;
  // the raw score route is for admins.
  t.equal((await app.inject({ method: 'POST', url: '/api/games/g1/finish', payload: { score: 10 } })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/api/games/g1/finish', headers: { cookie }, payload: { score: 120 } })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/api/games/g2/finish', headers: { cookie }, payload: { score: -5 } })).statusCode, 400)
  const top = await app.inject('/api/leaderboards/alltime/top?limit=5')
  t.equal(top.statusCode, 200)
  t.match(JSON.stringify(top.json()), /user:1/)
  t.equal((await app.inject('/api/leaderboards/user:1/members/x')).statusCode, 404, 'unknown board')
  t.equal((await app.inject({ method: 'POST', url: '/api/leaderboards/alltime/scores', payload: { member: 'x', score: 1 } })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/api/leaderboards/alltime/scores', headers: { cookie }, payload: { member: 'x', score: 1 } })).statusCode, 403)

  // Jobs: an e-mail job is processed by the in-process worker (failures retried).
  const queued = await app.inject({ method: 'POST', url: '/api/emails', headers: { cookie: admin }, payload: { to: 'grace@example.com', subject: 'Hi', body: 'Hello' } })
  t.equal(queued.statusCode, 202)
  await eventually(async () => (await app.inject('/api/emails/sent')).json().sent === 1, { ms: 10_000, what: 'e-mail sent by the worker' })
  const job = await app.inject({ url: `/api/queues/email/jobs/${queued.json().jobId as string}`, headers: { cookie: admin } })
  t.equal(job.statusCode, 200)
  t.equal((await app.inject({ url: '/api/queues/email/counts' })).statusCode, 401, 'queue routes need a session')
  t.equal((await app.inject({ url: '/api/queues/email/counts', headers: { cookie } })).statusCode, 403, 'and the admin role')
  t.equal((await app.inject({ url: '/api/queues/nope/counts', headers: { cookie: admin } })).statusCode, 404)

  await app.inject({ method: 'POST', url: '/api/logout', headers: { cookie } })
  t.equal((await app.inject({ url: '/api/me', headers: { cookie } })).statusCode, 401)

  // The README walkthrough ends with `curl localhost:3000/metrics`: every pattern is in it.
  const metrics = await app.inject('/metrics')
  t.equal(metrics.statusCode, 200)
  for (const family of ['frp_http_cache_total', 'frp_cache_requests_total', 'frp_ratelimit_decisions_total', 'frp_session_loads_total',
    'frp_sessions_created_total', 'frp_lock_acquires_total', 'frp_leaderboard_submits_total', 'frp_queue_jobs_finished_total',
    'frp_queue_jobs', 'frp_redis_up']) {
    t.match(metrics.body, new RegExp(`^${family}\\{?.* [1-9]`, 'm'), `${family} has a non-zero sample`)
  }
  t.match(metrics.body, /^frp_http_cache_total\{route="\/api\/users\/:id",result="hit"\} [1-9]/m, 'labelled by the route pattern')
  t.equal((await app.inject({ url: '/metrics', remoteAddress: '10.0.0.9' })).statusCode, 403, 'served to loopback clients only')
})

test('bad input gets 4xx JSON errors and writes nothing', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  // As the admin, so authorisation lets every request through to validation.
  const admin = await loginAs(app, ADMIN)
  const cases: Array<[string, string, unknown, number]> = [
    ['PATCH', '/api/users/abc', { name: 'x' }, 400],
    ['PATCH', '/api/users/1', {}, 400],
    ['PATCH', '/api/users/1', { name: '' }, 400],
    ['PATCH', '/api/users/1', { admin: true }, 400],
    ['PATCH', '/api/users/404', { name: 'Ghost' }, 404],
    ['PUT', '/api/products/1', { name: 'x', priceCents: -1, stock: 1 }, 400],
    ['PUT', '/api/products/1', { name: 'x', priceCents: 1 }, 400],
    ['POST', '/api/posts/0/views', undefined, 400],
    ['POST', '/api/posts/77/views', undefined, 404],
    ['POST', '/api/login', { email: 'ada@example.com' }, 400],
    ['POST', '/api/payments/0/process', undefined, 400],
    ['POST', '/api/payments/100000/process', undefined, 404],
    ['POST', '/api/emails', { to: 'not-an-email', subject: 's', body: 'b' }, 400],
    ['POST', '/api/emails', { to: 'a@b.co', subject: 's', body: 'x'.repeat(200_000) }, 413]
  ]
  for (const [method, url, payload, status] of cases) {
    const res = await app.inject({ method: method as 'POST', url, headers: { cookie: admin }, payload: payload as object })
    t.equal(res.statusCode, status, `${method} ${url} → ${status}`)
    t.match(res.headers['content-type'], /application\/json/)
    t.type(res.json().message, 'string')
  }
  t.equal((await app.inject('/api/users/1')).json().name, 'Ada', 'user 1 unchanged')
  t.equal((await app.inject('/api/products/1')).json().priceCents, 250, 'product 1 unchanged')
  t.equal(await redis.client().keys('*queue*').then(k => k.filter(x => x.includes(':job:')).length), 0, 'no job enqueued')
})

test('login is rate limited per IP', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  const codes: number[] = []
  for (let i = 0; i < 7; i++) {
    codes.push((await app.inject({ method: 'POST', url: '/api/login', payload: { email: `u${i}@example.com`, password: 'x' } })).statusCode)
  }
  t.same(codes, [401, 401, 401, 401, 401, 429, 429])
  const limited = await app.inject({ method: 'POST', url: '/api/login', payload: { email: 'a@b.c', password: 'x' } })
  t.ok(Number(limited.headers['retry-after']) > 0)
  t.ok(limited.headers.ratelimit !== undefined)
})

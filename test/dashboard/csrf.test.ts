// Every change needs the CSRF token (cookie + repeated value) and, from a browser, a same-origin
// request: anything else is 403 FRP_DASHBOARD_CSRF and changes nothing.
import { test } from 'tap'
import { startRedis, type Teardown } from '../helpers/redis.js'
import { redisQueue } from '../../plugins/queue.js'
import { admin, dashboardApp } from './fixtures/app.js'

async function setUp (t: Teardown) {
  const client = (await startRedis(t)).client()
  const app = await dashboardApp(t, client, async a => { await a.register(redisQueue, { queueOptions: { prefix: `cs${process.pid}` }, queues: ['email'] }) })
  return { app, s: await admin(app), q: app.queue('email') }
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

test('a page sets the token cookie (HttpOnly, SameSite=Strict, the prefix\'s path) and repeats it in its forms', async t => {
  const { app } = await setUp(t)
  const res = await app.inject({ url: '/dashboard/queues/email', headers: { 'x-role': 'admin' } })
  const cookie = String(res.headers['set-cookie'])
  t.match(cookie, /^frp_dashboard_csrf=[A-Za-z0-9_-]{43}; Path=\/dashboard; HttpOnly; SameSite=Strict/)
  const token = /=([^;]+)/.exec(cookie)?.[1] ?? ''
  t.match(res.body, `name="_csrf" value="${token}"`)
  t.match(res.body, `<meta name="csrf-token" content="${token}">`)
  const again = await app.inject({ url: '/dashboard/queues/email', headers: { 'x-role': 'admin', cookie: cookie.split(';')[0] } })
  t.equal(again.headers['set-cookie'], undefined, 'a request with the cookie keeps its token')
})

test('the token is required: missing, wrong, or without its cookie is 403 and nothing changes', async t => {
  const { app, s, q } = await setUp(t)
  const { 'x-csrf-token': _token, ...noToken } = s.headers
  const { cookie: _cookie, ...noCookie } = s.headers
  const cases: Array<[string, Record<string, string>]> = [
    ['no token', noToken],
    ['wrong token', { ...s.headers, 'x-csrf-token': 'A'.repeat(43) }],
    ['no cookie', noCookie],
    ['token of another cookie', { ...s.headers, cookie: 'frp_dashboard_csrf=' + 'B'.repeat(43) }]
  ]
  for (const [what, headers] of cases) {
    const res = await app.inject({ method: 'POST', url: '/dashboard/api/queues/email/pause', headers })
    t.equal(res.statusCode, 403, what)
    t.equal(res.json().code, 'FRP_DASHBOARD_CSRF', what)
  }
  const form = await app.inject({ method: 'POST', url: '/dashboard/queues/email/pause', headers: { ...noToken, ...FORM, accept: 'text/html' }, payload: '_csrf=wrong' })
  t.equal(form.statusCode, 403, 'a form with a wrong token')
  t.match(form.headers['content-type'], 'text/html', 'a form gets an HTML error page')
  t.match(form.body, 'Cross-site request refused')
  t.equal(await q.isPaused(), false, 'nothing changed')
  const ok = await app.inject({ method: 'POST', url: '/dashboard/api/queues/email/pause', headers: s.headers })
  t.equal(ok.statusCode, 200, 'with the token')
  t.equal(await q.isPaused(), true)
})

test('a cross-origin or cross-site browser request is refused even with the token', async t => {
  const { app, s, q } = await setUp(t)
  const cases: Array<[string, Record<string, string>]> = [
    ['another origin', { ...s.headers, origin: 'http://evil.example' }],
    ['Origin null', { ...s.headers, origin: 'null' }],
    ['Sec-Fetch-Site cross-site', { ...s.headers, 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site', { ...s.headers, 'sec-fetch-site': 'same-site' }]
  ]
  for (const [what, headers] of cases) {
    const res = await app.inject({ method: 'POST', url: '/dashboard/api/queues/email/pause', headers })
    t.equal(res.statusCode, 403, what)
    t.equal(res.json().code, 'FRP_DASHBOARD_CSRF', what)
  }
  t.equal(await q.isPaused(), false)
  const { origin: _o, 'sec-fetch-site': _s, ...script } = s.headers
  t.equal((await app.inject({ method: 'POST', url: '/dashboard/api/queues/email/pause', headers: script })).statusCode, 200, 'a script (no Origin, no Sec-Fetch-Site) with the token passes')
})

test('origins lists the other origins allowed to post', async t => {
  const client = (await startRedis(t)).client()
  const app = await dashboardApp(t, client, async a => { await a.register(redisQueue, { queueOptions: { prefix: `co${process.pid}` }, queues: ['email'] }) }, { origins: ['https://admin.example.com'] })
  const s = await admin(app)
  t.equal((await app.inject({ method: 'POST', url: '/dashboard/api/queues/email/pause', headers: { ...s.headers, origin: 'https://admin.example.com' } })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/dashboard/api/queues/email/resume', headers: { ...s.headers, origin: 'https://other.example.com' } })).statusCode, 403)
})

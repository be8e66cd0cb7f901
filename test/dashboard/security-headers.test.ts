// Every dashboard response carries a strict Content-Security-Policy (only the package's own
// script and styles, no inline script, no framing) and the headers that go with it; the pages hold
// no inline script or style and load only files served from the package.
import { test } from 'tap'
import Fastify from 'fastify'
import { redisDashboard } from '../../plugins/dashboard.js'
import { authorize } from './fixtures/app.js'

test('CSP and companion headers on pages, API, assets and errors', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(redisDashboard, { authorize })
  const admin = { 'x-role': 'admin' }
  for (const url of ['/dashboard/', '/dashboard/redis', '/dashboard/api/redis', '/dashboard/assets/dashboard.css', '/dashboard/queues/nope']) {
    const res = await app.inject({ url, headers: admin })
    const csp = String(res.headers['content-security-policy'])
    t.match(csp, /default-src 'self'/, url)
    t.match(csp, /script-src 'self'(;|$)/, `${url}: scripts from the package only`)
    t.notMatch(csp, /unsafe-inline|unsafe-eval/, `${url}: no inline script or eval`)
    t.match(csp, /frame-ancestors 'none'/)
    t.match(csp, /form-action 'self'/)
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.equal(res.headers['x-frame-options'], 'DENY')
  }
  t.equal((await app.inject({ url: '/dashboard/', headers: admin })).headers['cache-control'], 'no-store', 'pages are not cached')
})

test('pages have no inline script, no inline style, no external URL', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(redisDashboard, { authorize })
  const body = (await app.inject({ url: '/dashboard/redis', headers: { 'x-role': 'admin' } })).body
  const scripts = [...body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
  t.ok(scripts.length > 0)
  for (const [, attrs, content] of scripts) {
    t.match(attrs, /src="\/dashboard\/assets\//, 'a script from the package')
    t.equal(content, '', 'no inline code')
  }
  t.notMatch(body, /<style|style="|\son[a-z]+=/i, 'no inline style or event handler attribute')
  t.notMatch(body, /(src|href)="(https?:)?\/\//, 'nothing from another host')
})

test('assets: a fixed list with ETags; anything else is 404', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(redisDashboard, { authorize })
  const headers = { 'x-role': 'admin' }
  for (const [file, type] of [['dashboard.js', 'text/javascript'], ['dashboard.css', 'text/css'], ['uPlot.iife.min.js', 'text/javascript'], ['uPlot.min.css', 'text/css']]) {
    const res = await app.inject({ url: `/dashboard/assets/${file}`, headers })
    t.equal(res.statusCode, 200, file)
    t.match(res.headers['content-type'], type)
    const again = await app.inject({ url: `/dashboard/assets/${file}`, headers: { ...headers, 'if-none-match': String(res.headers.etag) } })
    t.equal(again.statusCode, 304, `${file} revalidates`)
  }
  for (const url of ['/dashboard/assets/..%2Fdashboard.ts', '/dashboard/assets/package.json', '/dashboard/assets/%2e%2e%2f%2e%2e%2fpackage.json']) {
    t.equal((await app.inject({ url, headers })).statusCode, 404, url)
  }
})

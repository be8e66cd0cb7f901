// The dashboard refuses to register without `authorize` unless `public: true` is explicit, and
// every option is checked up front with a coded error naming it.
import { test } from 'tap'
import Fastify from 'fastify'
import { redisDashboard, type RedisDashboardOptions } from '../../plugins/dashboard.js'
import { authorize } from './fixtures/app.js'

async function register (t: { teardown: (fn: () => unknown) => void }, opts: RedisDashboardOptions): Promise<void> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(redisDashboard, opts)
  await app.ready()
}

test('without authorize the plugin refuses to register, naming the option', async t => {
  await t.rejects(async () => { await register(t, {}) }, { code: 'FRP_INVALID_OPTION', message: /redisDashboard\.authorize/ })
  await t.rejects(async () => { await register(t, { public: false }) }, { code: 'FRP_INVALID_OPTION', message: /redisDashboard\.authorize/ })
})

test('public: true serves it without authorize; both at once is refused', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(redisDashboard, { public: true })
  t.equal((await app.inject('/dashboard/')).statusCode, 200)
  await t.rejects(async () => { await register(t, { public: true, authorize }) }, { code: 'FRP_INVALID_OPTION', message: /redisDashboard\.public/ })
})

test('invalid options are coded errors naming the option', async t => {
  const cases: Array<[RedisDashboardOptions, RegExp]> = [
    [{ authorize: 'yes' as never }, /redisDashboard\.authorize/],
    [{ authorize, prefix: 'dashboard' }, /redisDashboard\.prefix/],
    [{ authorize, prefix: '/dash/' }, /redisDashboard\.prefix/],
    [{ authorize, origins: ['evil.com'] }, /redisDashboard\.origins/],
    [{ authorize, pageSize: 0 }, /redisDashboard\.pageSize/],
    [{ authorize, public: 'yes' as never }, /redisDashboard\.public/],
    [{ authorize, colour: 'red' } as never, /redisDashboard/]
  ]
  for (const [opts, message] of cases) {
    await t.rejects(async () => { await register(t, opts) }, { code: 'FRP_INVALID_OPTION', message }, JSON.stringify(Object.keys(opts)))
  }
})

test('authorize runs on every route: pages, API and assets', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(redisDashboard, { authorize, prefix: '/ops' })
  for (const url of ['/ops/', '/ops/queues', '/ops/redis', '/ops/api/queues', '/ops/api/redis', '/ops/api/csrf', '/ops/assets/dashboard.js']) {
    t.equal((await app.inject(url)).statusCode, 401, `${url} anonymous`)
    t.equal((await app.inject({ url, headers: { 'x-role': 'user' } })).statusCode, 403, `${url} non-admin`)
    t.equal((await app.inject({ url, headers: { 'x-role': 'admin' } })).statusCode, 200, `${url} admin`)
  }
  const post = await app.inject({ method: 'POST', url: '/ops/api/queues/email/pause', headers: { 'x-role': 'user' } })
  t.equal(post.statusCode, 403, 'a change by a non-admin is refused by authorize first')
})

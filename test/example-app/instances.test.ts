// Two app instances on one Redis: an update on one drops the other's cached copy at once, and
// concurrent payment requests across both process each payment exactly once.
import { test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRedis } from '../helpers/redis.js'
import { ADMIN, GRACE, buildApp, loginAs } from '../helpers/example-app.js'

test('two instances share Redis and SQLite: invalidation on one reaches the other', async t => {
  const redis = await startRedis(t)
  const dir = mkdtempSync(join(tmpdir(), 'frp-example-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const dbPath = join(dir, 'app.db')
  const a = await buildApp(t, redis.url, dbPath)
  const b = await buildApp(t, redis.url, dbPath)

  // Both instances have the profile in their L1.
  t.equal((await a.inject('/api/users/2/profile')).json().name, 'Grace')
  t.equal((await b.inject('/api/users/2/profile')).json().name, 'Grace')
  t.equal((await b.inject('/api/users/2')).json().name, 'Grace')

  // Grace's session, opened on a, is valid on b too (one Redis, one secret); she edits on a.
  const grace = await loginAs(b, GRACE)
  await a.inject({ method: 'PATCH', url: '/api/users/2', headers: { cookie: grace }, payload: { name: 'Grace H.' } })
  t.equal((await b.inject('/api/users/2/profile')).json().name, 'Grace H.', "b's L1 and Redis copies were dropped")
  t.equal((await b.inject('/api/users/2')).json().name, 'Grace H.')
})

test('concurrent payment requests on two instances process each payment exactly once', async t => {
  const redis = await startRedis(t)
  const dir = mkdtempSync(join(tmpdir(), 'frp-example-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const dbPath = join(dir, 'app.db')
  const apps = [await buildApp(t, redis.url, dbPath), await buildApp(t, redis.url, dbPath)]
  const cookie = await loginAs(apps[0], ADMIN)
  const responses = await Promise.all(Array.from({ length: 40 }, (_, i) =>
    apps[i % 2].inject({ method: 'POST', url: `/api/payments/${7 + (i % 4)}/process`, headers: { cookie } })))
  t.ok(responses.every(r => r.statusCode === 200), 'every request answered 200')
  for (let id = 7; id <= 10; id++) {
    const p = (await apps[0].inject({ url: `/api/payments/${id}`, headers: { cookie } })).json()
    t.equal(p.processCount, 1, `payment ${id} processed once`)
    t.equal(p.status, 'processed')
    t.equal(responses.filter(r => r.json().id === id && r.json().status === 'processed').length, 1)
  }
})

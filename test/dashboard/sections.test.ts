// The other sections through app.inject(): leaderboards (boards, top, a member, remove), locks
// (held ones found by SCAN, force-release), sessions (live count, a user's sessions by handle,
// revoke one or all; ids never shown), cache (counters pooled across instances, invalidation) and
// rate limits (policies and routes, a key's state, reset).
import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { startRedis, eventually, type Teardown } from '../helpers/redis.js'
import { redisLeaderboard } from '../../plugins/leaderboard.js'
import { redisLock } from '../../plugins/lock.js'
import { redisSession } from '../../plugins/session.js'
import { redisCache } from '../../plugins/cache.js'
import { redisRateLimit } from '../../plugins/rate-limit.js'
import { newSessionId, userTag } from '../../lib/session/ids.js'
import { admin, dashboardApp, type AdminSession } from './fixtures/app.js'
import { Locker } from '../../lib/lock/locker.js'
import { Redis } from 'ioredis'

const SECRET = 'x'.repeat(40)

async function setUp (t: Teardown, statsInterval = 5000): Promise<{ app: FastifyInstance, s: AdminSession, url: string }> {
  const redis = await startRedis(t)
  const app = await dashboardApp(t, redis.client(), async a => {
    await a.register(redisRateLimit, { limit: 1000, window: 60_000 })
    await a.register(redisCache, { prefix: `dc${process.pid}` })
    await a.register(redisSession, { secret: SECRET, prefix: `ds${process.pid}` })
    await a.register(redisLock, { prefix: `dl${process.pid}` })
    await a.register(redisLeaderboard, { boards: { alltime: {}, weekly: { period: 'week', keep: 3 } } })
    a.get('/login-limited', { config: { rateLimit: { limit: 2, window: 60_000 } } }, async () => 'ok')
    a.get('/cached/:id', { config: { cache: { ttl: 60_000 } } }, async () => ({ ok: true }))
  }, { statsInterval })
  return { app, s: await admin(app), url: redis.url }
}

test('leaderboards: boards with periods, a page of the top, a member with neighbours, removal', async t => {
  const { app, s } = await setUp(t)
  const board = app.leaderboard('alltime')
  for (let i = 1; i <= 30; i++) await board.submit(`user:${i}`, i * 10)
  const list = (await app.inject({ url: '/dashboard/api/leaderboards', headers: s.headers })).json()
  t.match(list.boards, [{ name: 'alltime', count: 30, period: null }, { name: 'weekly', period: 'week', keep: 3, count: 0 }])
  const page = (await app.inject({ url: '/dashboard/api/leaderboards/alltime?member=user:3', headers: s.headers })).json()
  t.equal(page.entries[0].member, 'user:30')
  t.equal(page.entries[0].rank, 1)
  t.type(page.next, 'string')
  t.match(page.member, { member: 'user:3', score: 30, rank: 28 })
  t.equal(page.around.length, 11)
  const html = (await app.inject({ url: '/dashboard/leaderboards/alltime?member=user:3', headers: s.headers })).body
  t.match(html, 'Neighbours')
  t.match(html, 'action="/dashboard/leaderboards/alltime/remove"')
  t.equal((await app.inject({ url: '/dashboard/leaderboards/weekly?period=-1', headers: s.headers })).statusCode, 200, 'a past period')
  const removed = await app.inject({ method: 'POST', url: '/dashboard/api/leaderboards/alltime/remove', headers: s.headers, payload: { member: 'user:3' } })
  t.equal(removed.json().result.removed, true)
  t.equal(await board.score('user:3'), null)
  t.equal((await app.inject({ url: '/dashboard/api/leaderboards/nope', headers: s.headers })).statusCode, 404)
})

test('locks: held locks with TTL and fencing counter, found by SCAN; force-release wakes a waiter', async t => {
  const { app, s, url } = await setUp(t)
  const lease = await app.locker.acquire('invoice:{7}', { ttl: 60_000 })
  const other = await app.locker.acquire('report', { ttl: 60_000 })
  const listed = (await app.inject({ url: '/dashboard/api/locks', headers: s.headers })).json()
  const locks = listed.lockers[0].held.locks
  t.strictSame(locks.map((l: { key: string }) => l.key), ['invoice:{7}', 'report'], 'keys as acquired (a brace in a key survives)')
  t.ok(locks[0].ttl > 50_000 && locks[0].ttl <= 60_000, 'remaining TTL')
  t.equal(locks[0].fence, lease.fencingToken, 'the fencing counter')
  t.notMatch(JSON.stringify(listed), lease.token, 'owner tokens are never shown')
  // Another instance's locker waits for it (this one's would queue in process, unseen by Redis).
  const client = new Redis(url)
  const elsewhere = new Locker(client, { prefix: `dl${process.pid}` })
  t.teardown(async () => { await elsewhere.close(); client.disconnect() })
  const waiting = elsewhere.acquire('report', { waitTimeout: 30_000 })
  await eventually(async () => (await app.locker.held()).locks.find(l => l.key === 'report')?.waited === true, { what: 'the waiter marked the lock' })
  const page = (await app.inject({ url: '/dashboard/locks', headers: s.headers })).body
  t.match(page, 'invoice:{7}')
  const form = await app.inject({ method: 'POST', url: '/dashboard/locks/release', headers: { ...s.headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${s.token}&locker=0&key=report` })
  t.equal(form.statusCode, 400, 'force-release needs its confirmation box')
  const res = await app.inject({ method: 'POST', url: '/dashboard/api/locks/release', headers: s.headers, payload: { locker: 0, key: 'report' } })
  t.equal(res.json().result.released, true)
  const next = await waiting
  t.ok(next.fencingToken > other.fencingToken, 'the waiter got the lock with a higher fencing token')
  t.equal((await app.inject({ method: 'POST', url: '/dashboard/api/locks/release', headers: s.headers, payload: { locker: 0, key: 'nobody' } })).json().result.released, false)
})

test('sessions: live count, a user\'s sessions by handle (ids never shown), revoke one then all', async t => {
  const { app, s } = await setUp(t)
  const ids: string[] = []
  for (const device of ['Firefox on Linux', '<b>evil</b> phone']) {
    const id = newSessionId(userTag('42'))
    await app.sessions.create(id, [], { userId: '42', metadata: { device } })
    ids.push(id)
  }
  await app.sessions.create(newSessionId(), [])
  const body = (await app.inject({ url: '/dashboard/api/sessions?user=42', headers: s.headers })).json()
  t.strictSame(body.live, { count: 3, capped: false })
  t.equal(body.sessions.length, 2)
  t.match(body.sessions[0], { handle: /^[A-Za-z0-9_-]{16}$/, metadata: { device: String } })
  const page = (await app.inject({ url: '/dashboard/sessions?user=42', headers: s.headers })).body
  for (const id of ids) t.notMatch(page + JSON.stringify(body), id.split('.')[1], 'no session id on the page or in the API')
  t.match(page, '&lt;b&gt;evil&lt;/b&gt; phone', 'device metadata escaped')
  const one = await app.inject({ method: 'POST', url: '/dashboard/api/sessions/revoke', headers: s.headers, payload: { user: '42', handle: body.sessions[0].handle } })
  t.equal(one.statusCode, 200)
  t.equal((await app.sessions.listForUser('42')).length, 1)
  t.equal((await app.inject({ method: 'POST', url: '/dashboard/api/sessions/revoke', headers: s.headers, payload: { user: '42', handle: 'A'.repeat(16) } })).statusCode, 404)
  const all = await app.inject({ method: 'POST', url: '/dashboard/api/sessions/revoke-all', headers: s.headers, payload: { user: '42' } })
  t.equal(all.json().result.revoked, 1)
  t.strictSame(await app.sessions.listForUser('42'), [])
})

test('cache: counters summed over instances (each writes its own to Redis), invalidation by key, tag, prefix', async t => {
  const { app, s, url } = await setUp(t, 200)
  // A second instance of the app on the same Redis: its counters count too.
  const client = new Redis(url)
  t.teardown(() => client.disconnect())
  const other = await dashboardApp(t, client, async a => {
    await a.register(redisCache, { prefix: `dc${process.pid}` })
    a.get('/cached/:id', { config: { cache: { ttl: 60_000 } } }, async () => ({ ok: true }))
  }, { statsInterval: 200 })
  for (const a of [app, other]) for (let i = 0; i < 3; i++) await a.inject('/cached/1')
  await app.cache.set('user:1', { n: 1 }, { tags: ['users'] })
  t.strictSame(await app.cache.get('user:1'), { n: 1 })
  const routeOf = (r: { routes: Array<{ route: string, hit: number, miss: number }> }) => r.routes.find(x => x.route === '/cached/:id')
  const report = await eventually(async () => {
    const r = (await app.inject({ url: '/dashboard/api/cache', headers: s.headers })).json()
    const route = routeOf(r)
    return r.instances.length === 2 && route !== undefined && route.hit + route.miss === 6 ? r : null
  }, { what: 'both instances\' requests counted' })
  t.equal(report.instances.length, 2, 'two instances report')
  const route = routeOf(report) ?? { hit: 0, miss: 0 }
  t.equal(route.hit + route.miss, 6, 'the route\'s requests on both instances')
  t.ok(report.hitRatio === null || (report.hitRatio >= 0 && report.hitRatio <= 1))
  t.match((await app.inject({ url: '/dashboard/cache', headers: s.headers })).body, 'Instances reporting')
  const post = async (by: string, value: string) => await app.inject({ method: 'POST', url: '/dashboard/api/cache/invalidate', headers: s.headers, payload: { by, value } })
  t.equal((await post('key', 'user:1')).statusCode, 200)
  t.equal(await app.cache.get('user:1'), undefined, 'the key is gone')
  await app.cache.set('user:2', 2, { tags: ['users'] })
  t.equal((await post('tag', 'users')).statusCode, 200)
  t.equal(await app.cache.get('user:2'), undefined, 'the tag\'s entries are gone')
  await app.cache.set('p:1', 1)
  await app.cache.set('p:2', 2)
  t.equal((await post('prefix', 'p:')).json().result.invalidated, 2)
  t.equal((await post('everything', 'x')).statusCode, 400)
})

test('rate limits: scopes with policies and routes, a key\'s state without counting, reset', async t => {
  const { app, s } = await setUp(t)
  for (let i = 0; i < 2; i++) await app.inject({ url: '/login-limited', remoteAddress: '10.1.1.1' })
  t.equal((await app.inject({ url: '/login-limited', remoteAddress: '10.1.1.1' })).statusCode, 429)
  const body = (await app.inject({ url: '/dashboard/api/rate-limits', headers: s.headers })).json()
  const scope = body.scopes.find((x: { routes: string[] }) => x.routes.includes('GET /login-limited'))
  t.match(scope.policies, /2 per 60 s/)
  t.ok(body.scopes.some((x: { scope: string }) => x.scope === 'global|'), 'the global policy')
  const q = `scope=${encodeURIComponent(scope.scope)}&key=10.1.1.1`
  const state = (await app.inject({ url: `/dashboard/api/rate-limits?${q}`, headers: s.headers })).json().state
  t.match(state, { allowed: false, remaining: 0, limit: 2 })
  const again = (await app.inject({ url: `/dashboard/api/rate-limits?${q}`, headers: s.headers })).json().state
  t.equal(again.remaining, 0, 'looking counts nothing')
  t.match((await app.inject({ url: `/dashboard/rate-limits?${q}`, headers: s.headers })).body, 'Reset this key')
  t.equal((await app.inject({ method: 'POST', url: '/dashboard/api/rate-limits/reset', headers: s.headers, payload: { scope: scope.scope, key: '10.1.1.1' } })).statusCode, 200)
  t.equal((await app.inject({ url: '/login-limited', remoteAddress: '10.1.1.1' })).statusCode, 200, 'the key may pass again')
  t.equal((await app.inject({ url: '/dashboard/api/rate-limits?scope=nope&key=x', headers: s.headers })).statusCode, 404)
})

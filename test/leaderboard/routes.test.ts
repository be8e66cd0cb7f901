import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyRedis from '@fastify/redis'
import type { Redis, Cluster } from 'ioredis'
import { redisLeaderboard, type RedisLeaderboardOptions } from '../../plugins/leaderboard.js'
import { startRedis, startTopology, topologies } from '../helpers/redis.js'
import { pluginApp } from '../helpers/app.js'

async function build (client: Redis | Cluster, opts: RedisLeaderboardOptions = {}): Promise<FastifyInstance> {
  return await pluginApp(null, client, redisLeaderboard, {
    boards: { weekly: { period: 'week' }, tb: { tieBreak: 'first', maxScore: 1000 } },
    routes: {
      maxLimit: 5,
      maxRadius: 2,
      preHandler: async (request, reply) => {
        if (request.headers.authorization !== 'Bearer ok') return await reply.code(401).send({ error: 'unauthorized' })
      }
    },
    ...opts
  }, { ready: false })
}

const auth = { authorization: 'Bearer ok' }

for (const topology of topologies()) {
  test(`HTTP routes (${topology})`, async t => {
    const h = await startTopology(t, topology)
    const app = await build(h.client())
    t.teardown(() => app.close())

    await t.test('a score submitted over HTTP is ranked, readable and removable', async t => {
      for (const [member, score, meta] of [['ada', 120, { name: 'Ada' }], ['bob', 90, undefined], ['cy', 150, undefined]] as const) {
        const res = await app.inject({ method: 'POST', url: '/leaderboards/tb/scores', headers: auth, payload: { member, score, meta } })
        t.equal(res.statusCode, 200, res.body)
        t.match(res.json(), { board: 'tb', period: null, member, score, changed: true })
      }
      const top = await app.inject('/leaderboards/tb/top?limit=2')
      t.strictSame(top.json().entries, [{ member: 'cy', score: 150, rank: 1, meta: null }, { member: 'ada', score: 120, rank: 2, meta: { name: 'Ada' } }])
      const one = await app.inject('/leaderboards/tb/members/ada?dense=true')
      t.equal(one.statusCode, 200)
      t.match(one.json(), { member: 'ada', score: 120, rank: 2, competitionRank: 2, denseRank: 2, percentile: 50, count: 3, meta: { name: 'Ada' } })
      t.type(one.json().reachedAt, 'number')
      const around = await app.inject('/leaderboards/tb/members/bob/around?radius=1')
      t.strictSame(around.json().entries.map((e: { member: string }) => e.member), ['cy', 'ada', 'bob'])
      const del = await app.inject({ method: 'DELETE', url: '/leaderboards/tb/members/bob', headers: auth })
      t.strictSame(del.json(), { board: 'tb', period: null, member: 'bob', removed: true })
      t.equal((await app.inject({ method: 'DELETE', url: '/leaderboards/tb/members/bob', headers: auth })).statusCode, 404)
      t.equal((await app.inject('/leaderboards/tb/members/bob')).json().code, 'FRP_LEADERBOARD_MEMBER_NOT_FOUND')
      t.equal((await app.inject('/leaderboards/tb/members/bob/around')).statusCode, 404)
      const weekly = await app.inject({ method: 'POST', url: '/leaderboards/weekly/scores', headers: auth, payload: { member: 'ada', score: 1 } })
      t.match(weekly.json().period, /^\d{4}-W\d{2}$/, 'periodic boards report their period')
    })

    await t.test('limit above the cap is capped; radius too', async t => {
      for (let i = 0; i < 8; i++) {
        await app.inject({ method: 'POST', url: '/leaderboards/tb/scores', headers: auth, payload: { member: `m${i}`, score: i } })
      }
      t.equal((await app.inject('/leaderboards/tb/top?limit=1000')).json().entries.length, 5)
      t.equal((await app.inject('/leaderboards/tb/top')).json().entries.length, 5, 'the default limit is capped as well')
      t.equal((await app.inject('/leaderboards/tb/members/m4/around?radius=50')).json().entries.length, 5)
    })

    await t.test('every bad input gets a 4xx JSON error and writes nothing', async t => {
      const before = await app.leaderboard('tb').count()
      const bodies: Array<[string, unknown, number]> = [
        ['score as a string', { member: 'x', score: '12' }, 400],
        ['score "NaN"', { member: 'x', score: 'NaN' }, 400],
        ['score above the range', { member: 'x', score: 1001 }, 400],
        ['negative score', { member: 'x', score: -1 }, 400],
        ['fractional score on a tie-break board', { member: 'x', score: 1.5 }, 400],
        ['score missing', { member: 'x' }, 400],
        ['member missing', { score: 1 }, 400],
        ['empty member', { member: '', score: 1 }, 400],
        ['over-long member', { member: 'x'.repeat(300), score: 1 }, 400],
        ['member as a number', { member: 12, score: 1 }, 400],
        ['array body', [{ member: 'x', score: 1 }], 400],
        ['null body', null, 400],
        ['metadata too large', { member: 'x', score: 1, meta: 'y'.repeat(5000) }, 400]
      ]
      for (const [what, body, status] of bodies) {
        const res = await app.inject({ method: 'POST', url: '/leaderboards/tb/scores', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) })
        t.equal(res.statusCode, status, `${what}: ${res.body}`)
        t.type(res.json().message, 'string', `${what}: JSON error body`)
      }
      const raw: Array<[string, string]> = [['Infinity (1e400)', '{"member":"x","score":1e400}'], ['not JSON', '{member:'], ['NaN literal', '{"member":"x","score":NaN}']]
      for (const [what, payload] of raw) {
        const res = await app.inject({ method: 'POST', url: '/leaderboards/tb/scores', headers: { ...auth, 'content-type': 'application/json' }, payload })
        t.equal(res.statusCode, 400, `${what}: ${res.body}`)
        t.type(res.json().code, 'string')
      }
      const queries = ['top?limit=0', 'top?limit=-3', 'top?offset=-1', 'top?limit=abc', 'top?limit=1.5', 'members/m1/around?radius=-1', 'members/m1?dense=maybe']
      for (const q of queries) {
        const res = await app.inject(`/leaderboards/tb/${q}`)
        t.equal(res.statusCode, 400, `${q}: ${res.body}`)
        t.equal(res.json().statusCode, 400)
      }
      // Fastify's router answers 414 for a path parameter above its maxParamLength (100 by default).
      const long = await app.inject(`/leaderboards/tb/members/${'x'.repeat(300)}`)
      t.equal(long.statusCode, 414, 'over-long member in the path')
      t.type(long.json().message, 'string')
      t.equal((await app.inject('/leaderboards/bad%20name/top')).statusCode, 400, 'board names are validated')
      t.equal(await app.leaderboard('tb').count(), before, 'nothing was written')
    })

    await t.test('unknown boards give 404 on every route', async t => {
      const routes: Array<[string, string, unknown?]> = [
        ['POST', '/leaderboards/nope/scores', { member: 'x', score: 1 }],
        ['GET', '/leaderboards/nope/top'],
        ['GET', '/leaderboards/nope/members/x'],
        ['GET', '/leaderboards/nope/members/x/around'],
        ['DELETE', '/leaderboards/nope/members/x']
      ]
      for (const [method, url, payload] of routes) {
        const res = await app.inject({ method: method as 'GET', url, headers: auth, payload: payload as object })
        t.equal(res.statusCode, 404, `${method} ${url}`)
        t.equal(res.json().code, 'FRP_LEADERBOARD_NOT_FOUND')
      }
      t.equal(await app.leaderboard('nope').count(), 0, 'nothing was written')
    })

    await t.test('the preHandler option protects write routes only', async t => {
      const post = await app.inject({ method: 'POST', url: '/leaderboards/tb/scores', payload: { member: 'intruder', score: 999 } })
      t.equal(post.statusCode, 401)
      const del = await app.inject({ method: 'DELETE', url: '/leaderboards/tb/members/m1' })
      t.equal(del.statusCode, 401)
      t.equal(await app.leaderboard('tb').score('intruder'), null)
      t.equal(await app.leaderboard('tb').score('m1'), 1, 'not deleted')
      t.equal((await app.inject('/leaderboards/tb/top')).statusCode, 200, 'reads are open')
    })
  })
}

test('auto-creation serves boards that were not configured, with the defaults', async t => {
  const redis = await startRedis(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client: redis.client(), closeClient: false })
  await app.register(redisLeaderboard, { defaults: { order: 'asc' }, routes: { autoCreate: true, prefix: '/lb' } })
  for (const [m, s] of [['a', 3], ['b', 1]] as const) {
    t.equal((await app.inject({ method: 'POST', url: '/lb/laps/scores', payload: { member: m, score: s } })).statusCode, 200)
  }
  t.strictSame((await app.inject('/lb/laps/top')).json().entries.map((e: { member: string }) => e.member), ['b', 'a'])
  t.equal(app.leaderboard('laps').config.order, 'asc', 'the decorator returns the same board')
  t.throws(() => app.leaderboard('bad name'), { code: 'FRP_LEADERBOARD_ARGUMENT' })
})

test('a slow or dead Redis gives a 503 JSON error within the command timeout, never a hang', async t => {
  const redis = await startRedis(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client: redis.client({ commandTimeout: 10_000 }), closeClient: false })
  await app.register(redisLeaderboard, { boards: { b: { commandTimeout: 100 } }, routes: true })
  await redis.pause(1000)
  const res = await app.inject({ method: 'POST', url: '/leaderboards/b/scores', payload: { member: 'x', score: 1 } })
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'FRP_REDIS_TIMEOUT')
  await redis.kill()
  const down = await app.inject('/leaderboards/b/top')
  t.equal(down.statusCode, 503, down.body)
  t.match(down.json().code, /^FRP_REDIS_(TIMEOUT|UNAVAILABLE)$/)
})

test('plugin options are validated at registration', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const cases: Array<[object, RegExp]> = [
    [{ bogus: true }, /redisLeaderboard\.bogus/],
    [{ namespace: 'missing' }, /namespace "missing"/],
    [{ boards: { 'bad name': {} } }, /board names/],
    [{ boards: { ok: { order: 'sideways' } } }, /redisLeaderboard\.boards\.ok\.order/],
    [{ defaults: { keep: -1 } }, /redisLeaderboard\.defaults\.keep/],
    [{ routes: { maxLimit: 0 } }, /routes\.maxLimit/],
    [{ routes: { preHandler: 'nope' } }, /routes\.preHandler/],
    [{ routes: { nope: 1 } }, /routes\.nope/]
  ]
  for (const [opts, message] of cases) {
    const app = Fastify()
    await app.register(fastifyRedis, { client, closeClient: false })
    app.register(redisLeaderboard, opts)
    await t.rejects(async () => { await app.ready() }, { code: 'FRP_INVALID_OPTION', message }, JSON.stringify(opts))
    await app.close()
  }
  const app = Fastify()
  await app.register(fastifyRedis, { client, closeClient: false, namespace: 'scores' })
  await app.register(redisLeaderboard, { namespace: 'scores' })
  await app.leaderboard('ns').submit('a', 1)
  t.equal(await client.zcard(app.leaderboard('ns').key), 1, 'the namespaced client is used')
  await app.close()
})

// The routes of the queue and leaderboard plugins take `onRequest` hooks for authentication
// (docs/queue.md, docs/leaderboard.md). Regression: the only hook option was `preHandler`, which
// Fastify runs after parsing and validation, so an anonymous client sending bad input got a 400
// naming the invalid field (and an oversized body a 413) instead of a 401: it could probe the
// schemas of admin routes without credentials.
import { test } from 'tap'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { redisQueue } from '../../plugins/queue.js'
import { redisLeaderboard } from '../../plugins/leaderboard.js'
import { startRedis } from '../helpers/redis.js'
import { pluginApp } from '../helpers/app.js'

const key = { authorization: 'Bearer ok' }

/** Records the order hooks ran in, and refuses requests without the key. */
function auth (log: string[]) {
  return async function authHook (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    log.push('onRequest')
    if (request.headers.authorization !== key.authorization) return await reply.code(401).send({ message: 'log in' })
  }
}

test('queue routes: onRequest authentication runs before parsing and validation', async t => {
  const client = (await startRedis(t)).client()
  const log: string[] = []
  const app = await pluginApp(t, client, redisQueue, {
    queueOptions: { prefix: `ra${process.pid}` },
    queues: ['email'],
    routes: {
      bodyLimit: 1024,
      onRequest: auth(log),
      preHandler: async (request: FastifyRequest) => { log.push(`preHandler ${typeof (request.body as { name?: unknown } | undefined)?.name}`) }
    }
  })
  const queue = app.queue('email')

  const invalid = await app.inject({ method: 'POST', url: '/queues/email/jobs', payload: { data: 1 } })
  t.equal(invalid.statusCode, 401, 'an anonymous client with an invalid body gets 401, not 400')
  t.notMatch(invalid.body, /name/, 'and learns nothing of the schema')
  const oversized = await app.inject({ method: 'POST', url: '/queues/email/jobs', payload: { name: 'x', data: 'y'.repeat(4096) } })
  t.equal(oversized.statusCode, 401, 'an oversized body is refused by the hook before it is read (no 413)')
  t.equal((await app.inject({ method: 'GET', url: '/queues/email/jobs?state=nope' })).statusCode, 401, 'a bad querystring too')
  t.equal((await app.inject({ method: 'GET', url: '/queues/email/counts' })).statusCode, 401, 'reads are protected too')
  t.strictSame(log, ['onRequest', 'onRequest', 'onRequest', 'onRequest'], 'no preHandler ran for refused requests')
  t.equal((await queue.counts()).waiting, 0, 'nothing was added')

  log.length = 0
  const bad = await app.inject({ method: 'POST', url: '/queues/email/jobs', headers: key, payload: { data: 1 } })
  t.equal(bad.statusCode, 400, 'an authenticated client with an invalid body gets the validation error')
  t.strictSame(log, ['onRequest'], 'validation stopped it before the preHandler')
  log.length = 0
  const ok = await app.inject({ method: 'POST', url: '/queues/email/jobs', headers: key, payload: { name: 'welcome', data: { to: 'a' } } })
  t.equal(ok.statusCode, 201)
  t.strictSame(log, ['onRequest', 'preHandler string'], 'onRequest first, then the preHandler with the parsed body')
  t.equal((await queue.counts()).waiting, 1)
})

test('leaderboard write routes: onRequest authentication runs before parsing and validation; reads stay public', async t => {
  const client = (await startRedis(t)).client()
  const log: string[] = []
  const app = await pluginApp(t, client, redisLeaderboard, {
    boards: { b: { maxScore: 1000 } },
    routes: { onRequest: auth(log) }
  })
  const board = app.leaderboard('b')

  const invalid = await app.inject({ method: 'POST', url: '/leaderboards/b/scores', payload: { member: 'm', score: 'lots' } })
  t.equal(invalid.statusCode, 401, 'an anonymous client with an invalid score gets 401, not 400')
  t.notMatch(invalid.body, /score/)
  t.equal((await app.inject({ method: 'POST', url: '/leaderboards/b/scores', payload: { member: 'm', score: 5 } })).statusCode, 401)
  t.equal((await app.inject({ method: 'DELETE', url: '/leaderboards/b/members/m' })).statusCode, 401)
  t.equal(await board.count(), 0, 'nothing was written')
  t.equal(log.length, 3)

  log.length = 0
  t.equal((await app.inject('/leaderboards/b/top')).statusCode, 200, 'reads are public')
  t.strictSame(log, [], 'the hook does not run on reads')

  t.equal((await app.inject({ method: 'POST', url: '/leaderboards/b/scores', headers: key, payload: { member: 'm', score: 'lots' } })).statusCode, 400, 'authenticated: the validation error')
  t.equal((await app.inject({ method: 'POST', url: '/leaderboards/b/scores', headers: key, payload: { member: 'm', score: 5 } })).statusCode, 200)
  t.equal(await board.score('m'), 5)
})

test('the hook options are validated at registration, naming the option', async t => {
  const client = (await startRedis(t)).client()
  const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
    ['queue onRequest', async () => await pluginApp(null, client, redisQueue, { queues: ['q'], routes: { onRequest: 'nope' as never } }), /"redisQueue\.routes\.onRequest": must be a function or an array of functions/],
    ['queue onRequest[1]', async () => await pluginApp(null, client, redisQueue, { queues: ['q'], routes: { onRequest: [async () => {}, 1] as never } }), /"redisQueue\.routes\.onRequest\[1\]"/],
    ['queue preHandler', async () => await pluginApp(null, client, redisQueue, { queues: ['q'], routes: { preHandler: {} as never } }), /"redisQueue\.routes\.preHandler"/],
    ['leaderboard onRequest', async () => await pluginApp(null, client, redisLeaderboard, { routes: { onRequest: 'nope' as never } }), /"redisLeaderboard\.routes\.onRequest"/],
    ['leaderboard preHandler[0]', async () => await pluginApp(null, client, redisLeaderboard, { routes: { preHandler: ['nope'] as never } }), /"redisLeaderboard\.routes\.preHandler\[0\]"/]
  ]
  for (const [what, register, message] of cases) {
    await t.rejects(register(), { code: 'FRP_INVALID_OPTION', message }, what)
  }
})

// The Fastify adapter: decorator, workers closed with the app, routes with validation and 4xx errors.
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyRedis from '@fastify/redis'
import { startRedis, eventually } from '../helpers/redis.js'
import { pluginApp } from '../helpers/app.js'
import { redisQueue } from '../../plugins/queue.js'
import type { Redis } from 'ioredis'

async function build (t: { teardown: (fn: () => unknown) => void }, client: Redis, opts: Record<string, unknown> = {}): Promise<FastifyInstance> {
  return await pluginApp(t, client, redisQueue, { queueOptions: { prefix: `p${process.pid}` }, queues: ['email'], routes: true, ...opts })
}

test('fastify.queue(name) adds jobs and its workers stop on app.close()', async t => {
  const client = (await startRedis(t)).client()
  const app = await build(t, client)
  const q = app.queue('email')
  t.equal(app.queue('email'), q, 'one Queue per name')
  let ran = 0
  const w = q.process(() => { ran++ })
  await q.add('send', { to: 'a@b' })
  await eventually(() => ran === 1)
  let closed = false
  w.once('closed', () => { closed = true })
  await app.close()
  t.ok(closed, 'the worker closed with the app')
  await t.rejects(q.add('send', { to: 'late' }), { code: 'FRP_QUEUE_CLOSED' })
  t.equal(w.running, 0)
})

test('routes: add, get, list, counts, retry, delete', async t => {
  const client = (await startRedis(t)).client()
  const app = await build(t, client)
  const add = await app.inject({ method: 'POST', url: '/queues/email/jobs', payload: { name: 'send', data: { to: 'x@y' }, opts: { priority: 2, attempts: 2 } } })
  t.equal(add.statusCode, 201)
  t.strictSame(add.json(), { id: '1', created: true })
  const dup1 = await app.inject({ method: 'POST', url: '/queues/email/jobs', payload: { name: 'send', data: 1, opts: { jobId: 'k-1' } } })
  const dup2 = await app.inject({ method: 'POST', url: '/queues/email/jobs', payload: { name: 'send', data: 1, opts: { jobId: 'k-1' } } })
  t.strictSame([dup1.statusCode, dup2.statusCode], [201, 200])
  t.equal(dup2.json().created, false)

  const get = await app.inject({ url: '/queues/email/jobs/1' })
  t.equal(get.statusCode, 200)
  t.match(get.json(), { id: '1', name: 'send', data: { to: 'x@y' }, state: 'waiting', priority: 2, attempts: 2 })
  const list = await app.inject({ url: '/queues/email/jobs?state=waiting&limit=1&offset=1' })
  t.strictSame(list.json().jobs.map((j: { id: string }) => j.id), ['1'], 'priority order: k-1 (priority 0) first')
  t.match((await app.inject({ url: '/queues/email/counts' })).json(), { waiting: 2, active: 0 })

  t.equal((await app.inject({ method: 'POST', url: '/queues/email/jobs/1/retry' })).statusCode, 409, 'a waiting job is not retryable')
  t.equal((await app.inject({ method: 'DELETE', url: '/queues/email/jobs/1' })).statusCode, 204)
  t.equal((await app.inject({ url: '/queues/email/jobs/1' })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: '/queues/email/jobs/1' })).statusCode, 404)

  const q = app.queue('email')
  q.process(() => { throw new Error('nope') })
  await eventually(async () => (await q.counts()).failed === 1)
  const retry = await app.inject({ method: 'POST', url: '/queues/email/jobs/k-1/retry' })
  t.equal(retry.statusCode, 200)
})

test('bad input gets a 4xx JSON error and enqueues nothing', async t => {
  const client = (await startRedis(t)).client()
  const app = await build(t, client, { routes: { bodyLimit: 1024 } })
  const cases: Array<[string, unknown, number]> = [
    ['negative delay', { name: 'a', opts: { delay: -1 } }, 400],
    ['attempts < 1', { name: 'a', opts: { attempts: 0 } }, 400],
    ['priority out of range', { name: 'a', opts: { priority: 2 ** 20 } }, 400],
    ['integer jobId', { name: 'a', opts: { jobId: '12' } }, 400],
    ['unknown option', { name: 'a', opts: { color: 'red' } }, 400],
    ['missing name', { data: 1 }, 400],
    ['payload over the limit', { name: 'a', data: 'x'.repeat(2000) }, 413]
  ]
  for (const [what, payload, status] of cases) {
    const res = await app.inject({ method: 'POST', url: '/queues/email/jobs', payload: payload as object })
    t.equal(res.statusCode, status, what)
    t.type(res.json().message, 'string', `${what}: JSON error body`)
  }
  const notJson = await app.inject({ method: 'POST', url: '/queues/email/jobs', headers: { 'content-type': 'application/json' }, payload: '{"name": "a", data: nope}' })
  t.equal(notJson.statusCode, 400, 'malformed JSON')
  const text = await app.inject({ method: 'POST', url: '/queues/email/jobs', headers: { 'content-type': 'text/plain' }, payload: 'hello' })
  t.equal(text.statusCode, 400, 'non-JSON payload')
  t.equal((await app.inject({ url: '/queues/email/jobs?state=zombie' })).statusCode, 400)
  t.equal((await app.inject({ url: '/queues/email/jobs?limit=0' })).statusCode, 400)
  const unknown = await app.inject({ method: 'POST', url: '/queues/nope/jobs', payload: { name: 'a' } })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'FRP_QUEUE_NOT_FOUND')
  t.equal((await app.inject({ url: '/queues/nope/counts' })).statusCode, 404)
  t.match((await app.inject({ url: '/queues/email/counts' })).json(), { waiting: 0, delayed: 0 }, 'nothing enqueued')
})

test('routes run the preHandler option (auth) and honour the prefix', async t => {
  const client = (await startRedis(t)).client()
  const app = await build(t, client, {
    routes: {
      prefix: '/admin/q',
      preHandler: async (req: { headers: Record<string, unknown> }, reply: { code: (n: number) => { send: (b: unknown) => unknown } }) => {
        if (req.headers.authorization !== 'secret') return await reply.code(401).send({ message: 'no' })
      }
    }
  })
  t.equal((await app.inject({ url: '/admin/q/email/counts' })).statusCode, 401)
  t.equal((await app.inject({ url: '/admin/q/email/counts', headers: { authorization: 'secret' } })).statusCode, 200)
  t.equal((await app.inject({ url: '/queues/email/counts' })).statusCode, 404)
})

test('plugin options are validated at registration', async t => {
  const client = (await startRedis(t)).client()
  const app = Fastify()
  await app.register(fastifyRedis, { client, closeClient: false })
  app.register(redisQueue, { nope: 1 } as never)
  await t.rejects(async () => { await app.ready() }, { code: 'FRP_INVALID_OPTION' })
  const app2 = Fastify()
  await app2.register(fastifyRedis, { client, closeClient: false })
  app2.register(redisQueue, { queues: { bad: { maxEvents: -1 } } })
  await t.rejects(async () => { await app2.ready() }, { code: 'FRP_INVALID_OPTION' })
})

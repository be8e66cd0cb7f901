// The schedule routes of the queue plugin: PUT / GET / DELETE /queues/:queue/schedules[/:id], behind
// the routes' hooks. A malformed cron, an unknown time zone or a wrong combination is a 400 naming
// the field, and nothing is written.
import { test } from 'tap'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { redisQueue } from '../../plugins/queue.js'
import { startTopology, topologies } from '../helpers/redis.js'
import { pluginApp } from '../helpers/app.js'

const auth = { authorization: 'Bearer ok' }
const onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
  if (request.headers.authorization !== 'Bearer ok') return await reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'log in' })
}

for (const topology of topologies()) {
  test(`schedule routes (${topology})`, async t => {
    const h = await startTopology(t, topology)
    const app = await pluginApp(t, h.client(), redisQueue, {
      queueOptions: { prefix: `sr${process.pid}`, runSchedules: false },
      queues: ['reports'],
      routes: { onRequest }
    })
    const put = async (id: string, payload: object, headers: Record<string, string> = auth) =>
      await app.inject({ method: 'PUT', url: `/queues/reports/schedules/${id}`, headers, payload })

    await t.test('create, read, list, replace and remove a schedule', async t => {
      const res = await put('nightly', { cron: '0 3 * * *', tz: 'Europe/Paris', name: 'rollup', data: { board: 'weekly' }, opts: { attempts: 3 } })
      t.equal(res.statusCode, 200, res.body)
      t.match(res.json(), { id: 'nightly', cron: '0 3 * * *', tz: 'Europe/Paris', name: 'rollup', data: { board: 'weekly' }, opts: { attempts: 3 }, missed: 'once' })
      t.type(res.json().next, 'number')
      t.equal((await put('nightly', { cron: '0 3 * * *', tz: 'Europe/Paris', name: 'rollup', data: { board: 'weekly' }, opts: { attempts: 3 } })).json().next, res.json().next, 'idempotent')
      t.match((await app.inject({ url: '/queues/reports/schedules/nightly', headers: auth })).json(), { id: 'nightly', next: res.json().next })
      t.equal((await put('pulse', { every: 60_000, name: 'ping', missed: 'all' })).json().every, 60_000)
      t.strictSame((await app.inject({ url: '/queues/reports/schedules', headers: auth })).json().schedules.map((s: { id: string }) => s.id), ['nightly', 'pulse'])
      t.equal((await app.inject({ method: 'DELETE', url: '/queues/reports/schedules/pulse', headers: auth })).statusCode, 204)
      const gone = await app.inject({ method: 'DELETE', url: '/queues/reports/schedules/pulse', headers: auth })
      t.equal(gone.statusCode, 404)
      t.equal(gone.json().code, 'FRP_SCHEDULE_NOT_FOUND')
      t.equal((await app.inject({ url: '/queues/reports/schedules/pulse', headers: auth })).statusCode, 404)
      t.equal((await app.inject({ url: '/queues/nope/schedules', headers: auth })).statusCode, 404)
    })

    await t.test('bad input: a coded 400 naming the field, nothing written', async t => {
      const before = (await app.queue('reports').getSchedules()).length
      const cases: Array<[string, string, object, string]> = [
        ['malformed cron', 'x', { cron: '99 * * * *', name: 'n' }, 'cron'],
        ['unknown tz', 'x', { cron: '0 3 * * *', tz: 'Nowhere/Land', name: 'n' }, 'tz'],
        ['tz with every', 'x', { every: 1000, tz: 'UTC', name: 'n' }, 'tz'],
        ['both every and cron', 'x', { every: 1000, cron: '* * * * *', name: 'n' }, 'every'],
        ['neither', 'x', { name: 'n' }, 'every'],
        ['every too small', 'x', { every: 5, name: 'n' }, 'every'],
        ['every as a string', 'x', { every: 'often', name: 'n' }, 'every'],
        ['no name', 'x', { every: 1000 }, 'name'],
        ['jobId option', 'x', { every: 1000, name: 'n', opts: { jobId: 'j' } }, 'jobId'],
        ['delay option', 'x', { every: 1000, name: 'n', opts: { delay: 10 } }, 'delay'],
        ['unknown missed policy', 'x', { every: 1000, name: 'n', missed: 'never' }, 'missed'],
        ['huge cron', 'x', { cron: '*'.repeat(500), name: 'n' }, 'cron'],
        ['bad id', 'a%20b', { every: 1000, name: 'n' }, 'id']
      ]
      for (const [what, id, body, field] of cases) {
        const res = await put(id, body)
        t.equal(res.statusCode, 400, `${what}: ${res.body}`)
        t.match(res.json().message, new RegExp(field), `${what}: names ${field}`)
      }
      t.equal((await app.queue('reports').getSchedules()).length, before, 'nothing written')
    })

    await t.test('the routes are behind the hooks', async t => {
      t.equal((await put('sneaky', { every: 1000, name: 'n' }, {})).statusCode, 401)
      t.equal((await app.inject({ url: '/queues/reports/schedules' })).statusCode, 401)
      t.equal(await app.queue('reports').getSchedule('sneaky'), null)
    })
  })
}

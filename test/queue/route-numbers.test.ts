// Numbers the queue routes' schemas accept. Regression for issue 15 item 4:
// `GET /queues/q/jobs?offset=1e300` passed `type: integer` (Ajv coerces it to 1e300, an integer)
// and reached Redis, which answered "ERR value is not an integer or out of range": a 500. Every
// numeric field of every route must now answer a 4xx naming the field, and the core must refuse
// such numbers with a coded error when called directly.
import { test } from 'tap'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { startRedis } from '../helpers/redis.js'
import { attackRequest, collectNumericFields, HOSTILE_NUMBERS, ODD_NUMBERS } from '../helpers/number-attacks.js'
import { redisQueue } from '../../plugins/queue.js'
import { makeQueue } from './helpers.js'

// Every object-valued option filled in, so an attack on a nested number (opts.backoff.delay)
// fails on that number and not on a missing sibling.
const BASE = {
  params: { queue: 'email', id: '1' },
  body: {
    name: 'send',
    data: { to: 'a@b' },
    opts: { backoff: { type: 'fixed', delay: 1 }, removeOnComplete: { count: 1, age: 1 }, removeOnFail: { count: 1, age: 1 } }
  }
}

test('every numeric field of every queue route answers hostile numbers with a 4xx naming it', async t => {
  const client = (await startRedis(t)).client()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client, closeClient: false })
  const fields = collectNumericFields(app)
  await app.register(redisQueue, { queueOptions: { prefix: `n${process.pid}` }, queues: ['email'], routes: true })
  await app.ready()

  const names = fields.map(f => `${f.method} ${f.url} ${f.part}.${f.path.join('.')}`)
  for (const expected of ['GET /queues/:queue/jobs querystring.offset', 'GET /queues/:queue/jobs querystring.limit',
    'POST /queues/:queue/jobs body.opts.delay', 'POST /queues/:queue/jobs body.opts.priority', 'POST /queues/:queue/jobs body.opts.backoff.delay']) {
    t.ok(names.includes(expected), `found ${expected}`)
  }

  for (const field of fields) {
    const name = field.path[field.path.length - 1]
    for (const value of HOSTILE_NUMBERS) {
      const res = await app.inject(attackRequest(field, value, BASE))
      const where = `${field.method} ${field.url} ${field.part}.${field.path.join('.')}=${value}`
      t.ok(res.statusCode >= 400 && res.statusCode < 500, `${where}: 4xx (got ${res.statusCode} ${res.body})`)
      const message = String(res.json().message)
      t.match(message.toLowerCase(), name.toLowerCase(), `${where}: the message names the field`)
    }
    for (const value of ODD_NUMBERS) {
      const res = await app.inject(attackRequest(field, value, BASE))
      t.ok(res.statusCode < 500, `${field.method} ${field.url} ${field.path.join('.')}=${value}: no 5xx (got ${res.statusCode} ${res.body})`)
    }
  }
  // The regression itself, spelled out.
  const res = await app.inject({ url: '/queues/email/jobs?offset=1e300' })
  t.equal(res.statusCode, 400)
  t.match(res.json().message, /offset/)
})

test('Queue methods refuse numbers Redis cannot take with a coded 400 before any command', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  const huge = [1e300, Infinity, -Infinity, NaN, 2 ** 63, 1e20, 2 ** 53 + 2, 1.5, '5' as unknown as number]
  for (const v of huge) {
    await t.rejects(q.getJobs('waiting', { offset: v }), { code: 'FRP_JOB_INVALID', statusCode: 400, message: /offset/ }, `getJobs offset ${String(v)}`)
    await t.rejects(q.getJobs('waiting', { limit: v }), { code: 'FRP_JOB_INVALID', statusCode: 400, message: /limit/ }, `getJobs limit ${String(v)}`)
    // A string is a duration for the duration options ('5' is 5 ms, as '5s' is 5000): skip it there.
    const duration = typeof v === 'string'
    if (!duration) await t.rejects(q.clean('completed', { age: v }), { code: 'FRP_JOB_INVALID', statusCode: 400, message: /age/ }, `clean age ${String(v)}`)
    await t.rejects(q.clean('completed', { limit: v }), { code: 'FRP_JOB_INVALID', statusCode: 400, message: /limit/ }, `clean limit ${String(v)}`)
    await t.rejects(q.checkStalled({ maxStalls: v }), { code: 'FRP_JOB_INVALID', statusCode: 400, message: /maxStalls/ }, `checkStalled maxStalls ${String(v)}`)
    for (const opt of ['delay', 'priority', 'attempts', 'timeout', 'backoff', 'removeOnComplete', 'removeOnFail']) {
      if (duration && (opt === 'delay' || opt === 'timeout' || opt === 'backoff')) continue
      await t.rejects(q.add('a', 1, { [opt]: v }), { code: 'FRP_JOB_INVALID', statusCode: 400, message: new RegExp(opt) }, `add ${opt} ${String(v)}`)
    }
  }
  t.same(await q.getJobs('waiting', { offset: Number.MAX_SAFE_INTEGER }), [], 'the largest safe offset is a valid (empty) page')
  t.strictSame(await q.counts(), { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0, paused: false }, 'nothing was added')
})

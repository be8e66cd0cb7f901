// Job data above the codec's maxBytes (docs/queue.md, Job options): add() throws
// FRP_VALUE_TOO_LARGE (413) before Redis is touched, addBulk() adds nothing, and the plugin route
// answers 413 with the coded error.
import { test } from 'tap'
import { randomBytes } from 'node:crypto'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { startRedis } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'
import { redisQueue } from '../../plugins/queue.js'

const MAX = 1024
// Random data does not compress: its stored form is above MAX whatever the codec does.
const big = (): string => randomBytes(4 * MAX).toString('base64')

test('add and addBulk with data above codec.maxBytes are rejected and write nothing', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<string>(t, client, { codec: { maxBytes: MAX } })
  await t.rejects(q.add('huge', big()), { code: 'FRP_VALUE_TOO_LARGE', statusCode: 413 })
  await t.rejects(q.addBulk([{ name: 'ok', data: 'small' }, { name: 'huge', data: big() }, { name: 'ok', data: 'small' }]),
    { code: 'FRP_VALUE_TOO_LARGE' })
  t.strictSame(await client.keys(`${q.keys.prefix}*`), [], 'no key of the queue exists: not even the id counter moved')
  t.match(await q.counts(), { waiting: 0, delayed: 0 })
  t.strictSame(await q.add('ok', 'small'), { id: '1', created: true }, 'the next add gets the first id')
})

test('the add route answers 413 FRP_VALUE_TOO_LARGE and enqueues nothing', async t => {
  const client = (await startRedis(t)).client()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client, closeClient: false })
  await app.register(redisQueue, { queueOptions: { prefix: `vt${process.pid}`, codec: { maxBytes: MAX } }, queues: ['email'], routes: true })
  const res = await app.inject({ method: 'POST', url: '/queues/email/jobs', payload: { name: 'send', data: big() } })
  t.equal(res.statusCode, 413)
  t.match(res.json(), { code: 'FRP_VALUE_TOO_LARGE' })
  t.strictSame(await client.keys(`vt${process.pid}:*`), [], 'nothing written')
  t.match(await app.queue('email').counts(), { waiting: 0 })
})

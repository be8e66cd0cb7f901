// Issue 16 item 4: Redis unreachable at startup. The queue plugin used to refuse to register;
// now it registers with only `client` (no @fastify/redis), warns once, fails calls with 503 coded
// errors, and a worker started while Redis is down neither crashes nor gives up: it takes jobs
// once Redis is up.
import { test } from 'tap'
import { redisQueue } from '../../plugins/queue.js'
import { eventually } from '../helpers/redis.js'
import { downRedis, loggedApp, startupWarnings } from '../helpers/startup.js'

test('Redis down at startup: the app starts, calls answer 503 coded, a worker takes jobs once Redis is up', async t => {
  const down = await downRedis(t)
  const logged = loggedApp(t)
  const { app } = logged
  await app.register(redisQueue, { client: down.client, queues: ['q'], routes: true, queueOptions: { commandTimeout: 500 } })
  await app.ready()

  const warned = startupWarnings(logged, 'queue')
  t.equal(warned.length, 1, 'one startup warning')
  t.equal(warned[0].err, undefined, 'no error object (no stack trace) in the warning')

  const q = app.queue<number>('q')
  const seen: number[] = []
  const errors: unknown[] = []
  const worker = q.process(job => { seen.push(job.data) })
  worker.on('error', err => errors.push(err))

  const res = await app.inject({ method: 'POST', url: '/queues/q/jobs', payload: { name: 'a', data: 1 } })
  t.equal(res.statusCode, 503)
  t.match(res.json().code, /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/)
  await t.rejects(q.add('a', 1), { code: /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/, statusCode: 503 })
  await eventually(() => errors.length > 0, { ms: 10_000, what: 'the worker to report its failed take (it is running, not crashed)' })

  await down.up()
  await eventually(async () => await q.add('b', 2).then(() => true, () => false), { ms: 10_000, every: 100, what: 'add to work after Redis came up' })
  await eventually(() => seen.length === 1, { ms: 10_000, what: 'the worker started while Redis was down to take the job' })
  t.strictSame(seen, [2])
})

test('a missing client names the option', async t => {
  const { app } = loggedApp(t)
  app.register(redisQueue, {})
  await t.rejects(async () => { await app.ready() }, { code: 'FRP_INVALID_OPTION', message: /^Invalid option "redisQueue\.client": .*@fastify\/redis/ })
})

// fastify.redisHealth() and the registry of the clients the pattern plugins use (issue 17 item 4):
// one entry per client however many plugins share it, named after where it came from, and every
// watch's timer stopped by app.close().
import { test } from 'tap'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { redisLock } from '../../plugins/lock.js'
import { redisQueue } from '../../plugins/queue.js'
import { clientsInUse } from '../../plugins/shared/redis-registry.js'
import { startRedis, eventually } from '../helpers/redis.js'

test('two plugins on one client: one entry holding both patterns', async t => {
  const redis = await startRedis(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client: redis.client(), closeClient: false })
  await app.register(redisLock, { ttl: 10_000 })
  await app.register(redisQueue, { queues: ['mail'] })
  await app.ready()
  t.strictSame(clientsInUse(app).map(c => c.name), ['default'])
  t.strictSame([...clientsInUse(app)[0].watch.patterns], ['lock', 'queue'])
  const report = await app.redisHealth()
  t.equal(report.ok, true)
  t.equal(report.clients.length, 1)
  t.match(report.clients[0], { name: 'default', patterns: ['lock', 'queue'], up: true, maxmemoryPolicy: 'noeviction', warnings: [] })
})

test('a namespaced client is named by its namespace, a client passed as `client` client-1', async t => {
  const redis = await startRedis(t)
  const app = Fastify()
  t.teardown(() => app.close())
  const jobs = redis.client()
  await app.register(fastifyRedis, { client: jobs, closeClient: false, namespace: 'jobs' })
  await app.register(redisQueue, { namespace: 'jobs', queues: ['mail'] })
  await app.register(redisLock, { client: [redis.client(), jobs] })
  await app.ready()
  t.strictSame(clientsInUse(app).map(c => [c.name, [...c.watch.patterns]]), [['jobs', ['queue', 'lock']], ['client-1', ['lock']]])
  const report = await app.redisHealth()
  t.strictSame(report.clients.map(c => c.name), ['jobs', 'client-1'])
  t.equal(report.ok, true)
})

test('redisHealth() reports a client that is down, without rejecting', async t => {
  const redis = await startRedis(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(redisLock, { client: redis.client(), ttl: 10_000 })
  await app.ready()
  t.equal((await app.redisHealth()).ok, true)
  await redis.kill()
  // Readings are cached for a second, until the connection is seen closed.
  const report = (await eventually(async () => { const r = await app.redisHealth(); return r.ok ? null : r }, { what: 'a down report' }))!
  t.equal(report.ok, false)
  t.match(report.clients, [{ name: 'client-1', patterns: ['lock'], up: false, error: String }])
})

test('app.close() stops every watch timer', async t => {
  const redis = await startRedis(t)
  // The watches' periodic timers (60 s) are unref'd, so nothing else would reveal one left running.
  const created: NodeJS.Timeout[] = []
  const cleared = new Set<unknown>()
  const { setInterval: set, clearInterval: clear } = globalThis
  globalThis.setInterval = ((fn: () => void, ms: number) => {
    const timer = set(fn, ms)
    if (ms === 60_000) created.push(timer)
    return timer
  }) as typeof setInterval
  globalThis.clearInterval = ((timer: NodeJS.Timeout) => { cleared.add(timer); clear(timer) }) as typeof clearInterval
  t.teardown(() => { globalThis.setInterval = set; globalThis.clearInterval = clear })
  const app = Fastify()
  await app.register(redisLock, { client: [redis.client(), redis.client()], ttl: 10_000 })
  await app.ready()
  t.equal(created.length, 2, 'one watch per client')
  t.notOk(created.some(timer => timer.hasRef()), "unref'd: they never keep the process alive")
  await app.close()
  t.ok(created.every(timer => cleared.has(timer)), 'all cleared')
})

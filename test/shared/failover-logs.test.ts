// Issue 19: "the run also printed `[ioredis] Unhandled error event: … All sentinels are
// unreachable` stack traces from a connection that has no error listener". @fastify/redis drops
// its own 'error' listener once the client is ready; every pattern plugin now listens on the
// clients it uses (debug log), so a Sentinel outage reaches the app's log, never stderr.
import tap, { test } from 'tap'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { Writable } from 'node:stream'
import { redisLock, redisCache, redisQueue, recommendedRedisOptions } from '../../index.js'
import { startSentinel } from '../helpers/replicated.js'
import { eventually } from '../helpers/redis.js'

tap.setTimeout(120_000)

test('every Sentinel and the master down: connection errors go to the debug log, no "Unhandled error event" on stderr', async t => {
  const s = await startSentinel(t, { replicas: 1 })
  const lines: Array<{ msg: string, level: number }> = []
  const stream = new Writable({ write (chunk, _enc, cb) { for (const l of String(chunk).split('\n')) if (l !== '') lines.push(JSON.parse(l)); cb() } })
  const app = Fastify({ logger: { level: 'debug', stream } })
  t.teardown(() => app.close())
  await app.register(fastifyRedis, {
    ...recommendedRedisOptions({ connectTimeout: 300, sentinelRetryStrategy: () => 100, retryStrategy: () => 100 }),
    sentinels: s.sentinels,
    name: s.name
  })
  await app.register(redisLock)
  await app.register(redisCache)
  await app.register(redisQueue, { queues: { mail: {} } })
  await app.ready()

  const printed: string[] = []
  const original = console.error
  console.error = (...args: unknown[]) => { printed.push(args.map(String).join(' ')) }
  t.teardown(() => { console.error = original })

  for (const sentinel of s.deployment.sentinels) await sentinel.kill()
  await s.deployment.nodes[await s.masterIndex().catch(() => 0)].kill()
  await eventually(() => lines.some(l => l.msg === 'Redis connection error'), { ms: 30_000, what: 'a connection error in the log' })
  // Let ioredis go through several reconnect rounds, each failing with "All sentinels are unreachable".
  const seen = lines.filter(l => l.msg === 'Redis connection error').length
  await eventually(() => lines.filter(l => l.msg === 'Redis connection error').length >= seen + 3, { ms: 30_000, what: 'more reconnect failures' })
  console.error = original
  t.same(printed.filter(p => p.includes('Unhandled error event')), [], 'nothing printed by ioredis for an unlistened error')
  t.ok(lines.some(l => l.msg === 'Redis connection error' && l.level === 20), 'the errors are logged at debug')
})

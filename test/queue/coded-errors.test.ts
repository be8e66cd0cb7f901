// Issue 16 item 2 (the queue's share): producer and admin calls fail with coded errors only, never
// with an ioredis error. Redis down → FRP_REDIS_UNAVAILABLE; Redis slow → FRP_REDIS_TIMEOUT; Redis
// refusing to serve (OOM under maxmemory) → FRP_REDIS_UNAVAILABLE with the reply as `cause`; any
// other reply error (a wrong-type key) → a 500 coded error with the reply as `cause`.
import { test } from 'tap'
import Fastify from 'fastify'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'
import { redisQueue } from '../../plugins/queue.js'
import type { Queue } from '../../lib/queue/queue.js'

/** Every producer and admin call of `q`, by name. */
function everyCall (q: Queue<number>): Record<string, () => Promise<unknown>> {
  return {
    add: () => q.add('x', 1),
    addBulk: () => q.addBulk([{ name: 'x', data: 1 }, { name: 'y', data: 2 }]),
    getJob: () => q.getJob('1'),
    getJobs: () => q.getJobs('waiting'),
    counts: () => q.counts(),
    pause: () => q.pause(),
    resume: () => q.resume(),
    isPaused: () => q.isPaused(),
    retry: () => q.retry('1'),
    remove: () => q.remove('1'),
    clean: () => q.clean('completed'),
    drain: () => q.drain(),
    checkStalled: () => q.checkStalled()
  }
}

test('Redis down: every call rejects with FRP_REDIS_UNAVAILABLE (503), the connection error as cause', async t => {
  const redis = await startRedis(t)
  // No offline queue: a command on a dead connection fails at once instead of waiting.
  const client = redis.client({ enableOfflineQueue: false, retryStrategy: () => 200 })
  const q = makeQueue<number>(t, client)
  await eventually(() => client.status === 'ready', { what: 'the client to connect' })
  await q.add('warm', 1)
  await redis.kill()
  await eventually(() => client.status !== 'ready', { what: 'the client to see the connection drop' })
  for (const [name, call] of Object.entries(everyCall(q))) {
    const err = await call().then(() => null, (e: unknown) => e) as (Error & { code?: string, statusCode?: number }) | null
    t.match(err, { code: 'FRP_REDIS_UNAVAILABLE', statusCode: 503 }, `${name} rejects with FRP_REDIS_UNAVAILABLE`)
    t.ok(err?.cause instanceof Error, `${name}: the ioredis error is the cause`)
  }
})

test('a worker reports Redis down as a coded error event', async t => {
  const redis = await startRedis(t)
  const q = makeQueue<number>(t, redis.client({ enableOfflineQueue: false, retryStrategy: () => 200 }), { commandTimeout: 500 })
  const errors: Error[] = []
  await eventually(() => q.redis.status === 'ready', { what: 'the client to connect' })
  const w = q.process(() => {}, { blockTimeout: 100 })
  w.on('error', err => errors.push(err))
  await q.add('x', 1)
  await eventually(async () => (await q.getJob('1'))?.state === 'completed')
  await redis.kill()
  await eventually(() => errors.length > 0, { ms: 20_000, what: 'an error event' })
  t.ok(errors.every(e => /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/.test((e as Error & { code: string }).code)), 'every error event is coded')
})

test('Redis slow (CLIENT PAUSE) beyond commandTimeout: FRP_REDIS_TIMEOUT (503), whichever timer fires', async t => {
  const redis = await startRedis(t)
  // The queue's own bound (the client has no commandTimeout) ...
  const bounded = makeQueue<number>(t, redis.client({ commandTimeout: undefined }), { commandTimeout: 200 })
  // ... and the client's commandTimeout (shorter than the queue's, so the queue arms no timer).
  const clientTimed = makeQueue<number>(t, redis.client({ commandTimeout: 200 }), { commandTimeout: 10_000 })
  await bounded.add('warm', 1)
  await clientTimed.add('warm', 1)
  await redis.pause(3000)
  for (const [which, q] of [['queue bound', bounded], ['client commandTimeout', clientTimed]] as const) {
    const calls = everyCall(q)
    for (const name of ['add', 'getJob', 'counts', 'pause', 'retry'] as const) {
      await t.rejects(calls[name](), { code: 'FRP_REDIS_TIMEOUT', statusCode: 503 }, `${which}: ${name} rejects with FRP_REDIS_TIMEOUT`)
    }
  }
})

test('Redis out of memory (maxmemory, noeviction): writes reject with FRP_REDIS_UNAVAILABLE, the OOM reply as cause', async t => {
  const redis = await startRedis(t, { args: ['--maxmemory-policy', 'noeviction'] })
  const client = redis.client()
  const q = makeQueue<number>(t, client)
  await q.add('before', 1)
  await redis.admin('CONFIG', 'SET', 'maxmemory', '1')
  t.teardown(() => redis.admin('CONFIG', 'SET', 'maxmemory', '0').catch(() => {}))
  for (const name of ['add', 'addBulk', 'pause'] as const) {
    const err = await everyCall(q)[name]().then(() => null, (e: unknown) => e) as (Error & { code?: string, statusCode?: number }) | null
    t.match(err, { code: 'FRP_REDIS_UNAVAILABLE', statusCode: 503 }, `${name} rejects with FRP_REDIS_UNAVAILABLE`)
    t.match(err?.cause, { name: 'ReplyError', message: /OOM/ }, `${name}: the OOM reply is the cause`)
  }
  t.equal((await q.getJob('1'))?.name, 'before', 'reads still work')
  t.match(await q.counts(), { waiting: 1 })

  // The routes answer 503 with the code.
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(redisQueue, { client, queues: [q.name], queueOptions: { prefix: q.options.prefix }, routes: true })
  const res = await app.inject({ method: 'POST', url: `/queues/${q.name}/jobs`, payload: { name: 'a', data: 1 } })
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'FRP_REDIS_UNAVAILABLE')
})

test('other reply errors (a wrong-type key) are coded 500s with the reply as cause', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const q = makeQueue<number>(t, client)
  await client.set(q.keys.waiting, 'not a sorted set')
  await client.set(q.keys.waitList, 'not a list')
  await client.set(q.keys.job('7'), 'not a hash')
  const scriptErr = await q.add('x', 1).then(() => null, (e: unknown) => e) as Error & { code?: string, statusCode?: number }
  t.match(scriptErr, { code: 'FRP_SCRIPT_ERROR', statusCode: 500, message: /"add"/ }, 'a script: FRP_SCRIPT_ERROR naming it')
  t.match(scriptErr.cause, { name: 'ReplyError', message: /WRONGTYPE/ })
  const readErr = await q.getJob('7').then(() => null, (e: unknown) => e) as Error & { code?: string, statusCode?: number }
  t.match(readErr, { code: 'FRP_REDIS_ERROR', statusCode: 500, message: /"HGETALL"/ }, 'a command: FRP_REDIS_ERROR naming it')
  t.match(readErr.cause, { name: 'ReplyError', message: /WRONGTYPE/ })
  await t.rejects(q.counts(), { code: 'FRP_REDIS_ERROR' }, 'a failed command inside a pipeline is coded too')
})

// Regression: getJobs() reads the listed jobs' hashes in one pipeline and skipped any entry whose
// read failed, so a listing silently left out jobs it could not read instead of failing.
test('getJobs() rejects when reading one listed job fails, rather than leaving it out', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const q = makeQueue<number>(t, client)
  await q.add('x', 1, { jobId: 'a' })
  await q.add('x', 2, { jobId: 'b' })
  t.strictSame((await q.getJobs('waiting')).map(j => j.id), ['a', 'b'])
  await client.del(q.keys.job('a'))
  t.strictSame((await q.getJobs('waiting')).map(j => j.id), ['b'], 'a job removed between the two reads is skipped')
  await client.set(q.keys.job('a'), 'not a hash')
  const err = await q.getJobs('waiting').then(() => null, (e: unknown) => e) as Error & { code?: string }
  t.match(err, { code: 'FRP_REDIS_ERROR', statusCode: 500, message: /"HGETALL"/ }, 'an unreadable job fails the listing')
  t.match(err?.cause, { name: 'ReplyError', message: /WRONGTYPE/ })
})

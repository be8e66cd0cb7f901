// Connection faults: idle workers keep working after their blocking connection is killed or Redis
// restarts; event listeners resume from their last id; calls on a dead Redis fail fast, coded.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'
import { deferred } from '../helpers/deferred.js'

test('an idle worker blocked on Redis picks up jobs after its connections are killed', async t => {
  const redis = await startRedis(t)
  const q = makeQueue(t, redis.client({ maxRetriesPerRequest: 5 }))
  const seen: string[] = []
  q.process(job => { seen.push(job.id) }, { blockTimeout: 60_000 })
  await q.add('a', 1)
  await eventually(() => seen.length === 1)
  await eventually(async () => (await redis.killClients()) > 0)
  await q.add('b', 2)
  await eventually(() => seen.length === 2, { ms: 8000 })
  t.strictSame(seen, ['1', '2'])
})

test('a worker survives a Redis restart (watchdog on the blocking connection)', async t => {
  const redis = await startRedis(t, { appendonly: true })
  const q = makeQueue(t, redis.client({ maxRetriesPerRequest: 5 }), { commandTimeout: 3000 })
  const seen: string[] = []
  q.process(job => { seen.push(job.id) }, { blockTimeout: 60_000 })
  await q.add('a', 1)
  await eventually(() => seen.length === 1)
  await redis.restart()
  await eventually(async () => { try { await q.add('b', 2); return true } catch { return false } }, { ms: 8000, every: 100 })
  await eventually(() => seen.length === 2, { ms: 10_000 })
  t.strictSame(seen, ['1', '2'])
})

test('an event listener resumes after a disconnect without missing events', async t => {
  const redis = await startRedis(t)
  const q = makeQueue(t, redis.client({ maxRetriesPerRequest: 5 }))
  const ev = q.events({ blockTimeout: 60_000 })
  await ev.waitUntilReady()
  const added: string[] = []
  ev.on('added', e => added.push(e.jobId as string))
  await q.add('a', 1)
  await eventually(() => added.length === 1)
  await eventually(async () => (await redis.killClients()) > 0)
  // Added while the listener is reconnecting.
  await eventually(async () => { try { await q.add('b', 2); await q.add('c', 3); return true } catch { return false } }, { ms: 5000 })
  await eventually(() => added.length === 3, { ms: 8000 })
  t.strictSame(added, ['1', '2', '3'])
})

test('a listener started from "0" replays what the stream still holds', async t => {
  const redis = await startRedis(t)
  const q = makeQueue(t, redis.client())
  await q.add('a', 1)
  await q.add('b', 2)
  const ev = q.events({ from: '0' })
  const done = deferred()
  const ids: string[] = []
  ev.on('added', e => { ids.push(e.jobId as string); if (ids.length === 2) done.resolve() })
  await done.promise
  t.strictSame(ids, ['1', '2'])
  t.match(ev.lastId, /^\d+-\d+$/)
})

test('calls on a dead Redis fail within commandTimeout with a coded error', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ maxRetriesPerRequest: 100, commandTimeout: undefined, retryStrategy: () => 50 })
  const q = makeQueue(t, client, { commandTimeout: 200 })
  await q.add('warm', 1)
  await redis.kill()
  await t.rejects(q.add('x', 1), { code: 'FRP_REDIS_TIMEOUT', statusCode: 503 })
  await t.rejects(q.counts(), { code: 'FRP_REDIS_TIMEOUT' })
})

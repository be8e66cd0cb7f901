// Every event docs/queue.md lists, with the arguments it documents: the QueueEvents stream events
// (added, waiting, active, progress, completed, failed with `final`, stalled, released, removed,
// paused, resumed, and `event` for all of them), the Worker events (completed, failed, lost,
// error, closed), and `maxEvents: 0`, which keeps no event stream at all.
import { test } from 'tap'
import type { Redis } from 'ioredis'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'
import type { Queue } from '../../lib/queue/queue.js'
import type { QueueEvent, QueueEventName } from '../../lib/queue/events.js'
import type { ActiveJob } from '../../lib/queue/active-job.js'

const STREAM_EVENTS: QueueEventName[] = ['added', 'waiting', 'active', 'progress', 'completed', 'failed', 'stalled', 'released', 'removed', 'paused', 'resumed']

type Handler = (job: ActiveJob<number>, signal: AbortSignal) => Promise<unknown>

/** a: progress then a result; f: always throws; hang: runs until its signal aborts. */
const handler: Handler = async (job, signal) => {
  if (job.name === 'a') { await job.updateProgress({ pct: 50 }); return { ok: true } }
  if (job.name === 'f') throw new Error('nope')
  await new Promise(resolve => signal.addEventListener('abort', resolve))
}

interface WorkerLog { completed: Array<[string, unknown]>, failed: Array<[string, string]>, lost: string[], closed: number }

/**
 * Drives one queue through every transition that writes an event: add, progress, complete, a failed
 * attempt retried after a backoff (promotion: waiting), a final failure, pause, retry, remove,
 * resume, a stall, and a graceful close that hands a running job back. Returns the worker's events.
 */
async function lifeCycle (q: Queue<number>, client: Redis): Promise<WorkerLog> {
  const log: WorkerLog = { completed: [], failed: [], lost: [], closed: 0 }
  const w = q.process(handler, { lease: 60_000, heartbeat: 100 })
  w.on('completed', (job: ActiveJob<number>, result: unknown) => log.completed.push([job.id, result]))
  w.on('failed', (job: ActiveJob<number>, err: Error) => log.failed.push([job.id, err.message]))
  w.on('lost', (job: ActiveJob<number>) => log.lost.push(job.id))
  w.on('closed', () => { log.closed++ })
  await q.add('a', 1)
  await eventually(async () => (await q.getJob('1'))?.state === 'completed', { what: 'job 1 to complete' })
  await q.add('f', 2, { attempts: 2, backoff: 50 })
  await eventually(async () => (await q.getJob('2'))?.state === 'failed', { what: 'job 2 to fail for good' })
  await q.pause()
  await q.retry('2')
  await q.remove('2')
  await q.resume()
  await q.add('hang', 3)
  await eventually(async () => (await q.getJob('3'))?.state === 'active', { what: 'job 3 to run' })
  // A lease that expired (as when a worker dies): its deadline is moved into the past and, next in
  // the connection's write order, the stalled check returns the job. The heartbeat then finds it lost.
  const expire = client.zadd(q.keys.active, 0, '3')
  await q.checkStalled()
  await expire
  await eventually(() => log.lost.length > 0, { what: 'the worker to notice the lost lease' })
  // The worker is free again and takes job 3 anew; closing hands it back (released).
  await eventually(async () => (await q.getJob('3'))?.state === 'active', { what: 'job 3 to run again' })
  await w.close(50)
  return log
}

test('QueueEvents emits every documented event with its fields, and `event` for all', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<number>(t, client)
  const ev = q.events()
  await ev.waitUntilReady()
  const all: QueueEvent[] = []
  const named: QueueEvent[] = []
  ev.on('event', (e: QueueEvent) => all.push(e))
  for (const name of STREAM_EVENTS) ev.on(name, (e: QueueEvent) => { named.push(e) })
  const log = await lifeCycle(q, client)
  t.equal((await q.getJob('3'))?.state, 'waiting', 'job 3 was handed back')

  await eventually(() => all.some(e => e.event === 'released'), { what: 'the released event' })
  t.same(named, all, 'each event is emitted under its own name and as `event`, in stream order')
  t.ok(all.every(e => typeof e.streamId === 'string' && /^\d+-\d+$/.test(e.streamId)), 'every event carries its stream id')
  t.same([...new Set(all.map(e => e.event))].sort(), [...STREAM_EVENTS].sort(), 'every documented event was seen')
  t.equal(ev.lastId, all[all.length - 1].streamId, 'lastId is the last delivered id')

  const of = (jobId: string): Array<Record<string, unknown>> => all.filter(e => e.jobId === jobId).map(({ streamId, ...rest }) => rest)
  t.strictSame(of('1'), [
    { event: 'added', jobId: '1', name: 'a' },
    { event: 'active', jobId: '1' },
    { event: 'progress', jobId: '1', progress: { pct: 50 } },
    { event: 'completed', jobId: '1', returnValue: { ok: true } }
  ])
  t.strictSame(of('2'), [
    { event: 'added', jobId: '2', name: 'f' },
    { event: 'active', jobId: '2' },
    { event: 'failed', jobId: '2', error: 'nope', attemptsMade: 1, final: false },
    { event: 'waiting', jobId: '2' }, // promoted after its backoff
    { event: 'active', jobId: '2' },
    { event: 'failed', jobId: '2', error: 'nope', attemptsMade: 2, final: true },
    { event: 'waiting', jobId: '2' }, // retry()
    { event: 'removed', jobId: '2' }
  ])
  t.strictSame(of('3'), [
    { event: 'added', jobId: '3', name: 'hang' },
    { event: 'active', jobId: '3' },
    { event: 'stalled', jobId: '3' },
    { event: 'active', jobId: '3' },
    { event: 'released', jobId: '3' }
  ])
  t.strictSame(all.filter(e => e.jobId === undefined).map(e => e.event), ['paused', 'resumed'])

  // The Worker's own events, with their documented arguments.
  t.strictSame(log.completed, [['1', { ok: true }]], 'completed (job, result)')
  t.strictSame(log.failed, [['2', 'nope'], ['2', 'nope']], 'failed (job, err) for every failed attempt')
  t.strictSame(log.lost, ['3'], 'lost (job) once the lease was gone')
  t.equal(log.closed, 1, 'closed')
})

test('maxEvents: 0 keeps no event stream through the whole life cycle', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<number>(t, client, { maxEvents: 0 })
  const log = await lifeCycle(q, client)
  t.equal(log.completed.length, 1, 'the jobs ran (the worker events still fire)')
  t.equal((await q.getJob('3'))?.state, 'waiting')
  t.equal(await client.exists(q.keys.events), 0, 'no events stream was written')
})

test('Worker error (err): Redis errors are emitted when someone listens', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const q = makeQueue<number>(t, client, { commandTimeout: 500 })
  const errors: unknown[] = []
  const w = q.process(() => {})
  w.on('error', err => errors.push(err))
  await q.add('x', 1)
  await eventually(async () => (await q.getJob('1'))?.state === 'completed')
  await redis.kill()
  await eventually(() => errors.length > 0, { ms: 20_000, what: 'an error event' })
  t.ok(errors[0] instanceof Error, 'the argument is an Error')
})

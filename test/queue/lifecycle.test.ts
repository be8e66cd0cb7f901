// Leases and ownership: crashed workers' jobs come back within about one lease; a stale worker
// cannot complete a job it lost; graceful close hands unfinished jobs over at once.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'
import { deferred } from '../helpers/deferred.js'
import { spawnWorker } from './child.js'
import { scripts } from '../../lib/queue/scripts.js'
import { untilRedisMs } from '../helpers/redis-time.js'

const childEnv = (port: number, name: string, extra: Record<string, string | number> = {}): Record<string, string | number> =>
  ({ FRP_PORT: port, FRP_QUEUE: name, FRP_PREFIX: `t${process.pid}`, FRP_LEASE: 400, ...extra })

test('a SIGKILLed worker\'s job returns to waiting within about one lease and runs elsewhere', async t => {
  const redis = await startRedis(t)
  const q = makeQueue<number, string>(t, redis.client())
  const child = await spawnWorker(t, childEnv(redis.port, q.name, { FRP_HOLD_MS: 60_000 }))
  const { id } = await q.add('crash', 1)
  await child.waitFor(l => l.started === id)
  await child.kill('SIGKILL')
  const ran = deferred<string>()
  q.process(job => { ran.resolve(job.id); return 'rescued' }, { lease: 400 })
  t.equal(await ran.promise, id)
  await eventually(async () => (await q.getJob(id))?.state === 'completed')
  const job = await q.getJob(id)
  t.equal(job?.stalls, 1)
  t.equal(job?.returnValue, 'rescued')
})

test('a job that keeps stalling fails after maxStalls', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  const { id } = await q.add('poison', 1)
  const k = q.keys
  // A worker that takes the job and dies at once (its lease of 30 ms is never renewed), twice.
  const takeAndDie = async (): Promise<void> => {
    await scripts.run(client, 'take', [k.waiting, k.delayed, k.active, k.marker, k.events, k.meta, k.limiter, k.failed, k.completed],
      [k.prefix, 'doomed', 1, 30, 0, 0, 0, 1, 100, 0])
    t.equal((await q.getJob(id))?.state, 'active')
  }
  await takeAndDie()
  await eventually(async () => { await q.checkStalled({ maxStalls: 1 }); return (await q.getJob(id))?.state === 'waiting' }, { every: 20 })
  t.equal((await q.getJob(id))?.stalls, 1, 'first stall: back to waiting')
  await takeAndDie()
  await eventually(async () => { await q.checkStalled({ maxStalls: 1 }); return (await q.getJob(id))?.state === 'failed' }, { every: 20 })
  const job = await q.getJob(id)
  t.match(job?.failedReason, /stalled more than 1 times/)
  t.equal(job?.stalls, 2)
})

test('a paused (SIGSTOPped) worker\'s late completion is refused', async t => {
  const redis = await startRedis(t)
  const q = makeQueue<number, string>(t, redis.client())
  // 3 s: the child must still be inside its job when the SIGSTOP lands, however slow the machine.
  const child = await spawnWorker(t, childEnv(redis.port, q.name, { FRP_HOLD_MS: 3000 }))
  const { id } = await q.add('contended', 1)
  await child.waitFor(l => l.started === id)
  child.proc.kill('SIGSTOP')
  const w = q.process(() => 'parent', { lease: 400 })
  await eventually(async () => (await q.getJob(id))?.state === 'completed', { ms: 5000 })
  await w.close()
  child.proc.kill('SIGCONT')
  await child.waitFor(l => l.lost === id)
  t.notOk(child.lines.some(l => l.completed === id), 'the stale worker did not complete the job')
  const job = await q.getJob(id)
  t.equal(job?.returnValue, 'parent')
  t.equal(job?.stalls, 1)
})

test('graceful close waits for running jobs that finish in time', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  await q.add('short', 1)
  const started = deferred()
  const finish = deferred()
  const w = q.process(async () => { started.resolve(); await finish.promise; return 'done' })
  await started.promise
  let closed = false
  const closing = w.close(60_000).then(() => { closed = true })
  t.equal((await q.getJob('1'))?.state, 'active', 'the job is not given back while it may still finish')
  t.notOk(closed, 'close() waits for the running job')
  finish.resolve()
  await closing
  t.equal((await q.getJob('1'))?.state, 'completed')
})

test('graceful close gives unfinished jobs back at once and aborts their signal', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  await q.add('long', 1)
  const started = deferred()
  let aborted = false
  const w = q.process(async (_job, signal) => {
    started.resolve()
    await new Promise(resolve => signal.addEventListener('abort', resolve))
    aborted = true
  }, { lease: 60_000 })
  await started.promise
  await w.close(50)
  t.ok(aborted)
  const job = await q.getJob('1')
  t.equal(job?.state, 'waiting', 'back in waiting without waiting for the 60 s lease')
  t.equal(job?.stalls, 0, 'a hand-over is not a stall')
  const rerun = deferred<string>()
  q.process(j => { rerun.resolve(j.id) })
  t.equal(await rerun.promise, '1')
})

test('heartbeats keep a long job\'s lease alive beyond the lease period', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  await q.add('long', 1)
  let runs = 0
  const finish = deferred()
  const started = deferred()
  q.process(async () => { runs++; started.resolve(); await finish.promise }, { lease: 2000 })
  q.process(() => { runs++ }, { lease: 2000 })
  await started.promise
  // Hold the job for three lease periods of Redis time (the clock the lease is checked on).
  const processedAt = (await q.getJob('1'))?.processedAt as number
  await untilRedisMs(client, processedAt + 6000, { what: 'three lease periods' })
  t.equal((await q.getJob('1'))?.state, 'active', 'still active: its lease was extended')
  finish.resolve()
  await eventually(async () => (await q.getJob('1'))?.state === 'completed', { ms: 10_000 })
  t.equal(runs, 1, 'no other worker took it')
  t.equal((await q.getJob('1'))?.stalls, 0)
})

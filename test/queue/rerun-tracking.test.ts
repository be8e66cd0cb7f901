// Regression (worker.ts #settle): when a worker lost a job's lease and then took the same job again,
// the old run's finished report deleted the job id from the worker's running set, which by then
// held the NEW run. The new run got no heartbeats (its lease expired: a second, spurious stall and
// a refused completion) and close() did not hand it back.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'

test('a job the worker lost and took again keeps its heartbeat (no second stall)', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<number>(t, client)
  let runs = 0
  const lost: string[] = []
  const w = q.process(async (_job, signal) => {
    runs++
    // First run: until the lease is found lost. Second run: several lease periods, then done.
    if (runs === 1) await new Promise(resolve => signal.addEventListener('abort', resolve))
    else await new Promise(resolve => setTimeout(resolve, 2000))
    return `run ${runs}`
  }, { lease: 500 })
  w.on('lost', job => lost.push(job.id))
  await q.add('j', 1)
  await eventually(async () => (await q.getJob('1'))?.state === 'active' && runs === 1, { what: 'the first run' })
  // The lease expires (as when the worker is paused); next in write order, the stalled check returns it.
  const expire = client.zadd(q.keys.active, 0, '1')
  await q.checkStalled()
  await expire
  await eventually(() => runs === 2, { ms: 10_000, what: 'the same worker to take the job again' })
  await eventually(async () => (await q.getJob('1'))?.state === 'completed', { ms: 15_000, what: 'the second run to complete' })
  const job = await q.getJob('1')
  t.equal(job?.returnValue, 'run 2', 'the second run\'s result was recorded')
  t.equal(job?.stalls, 1, 'only the forced stall: heartbeats kept the second run\'s lease')
  t.strictSame(lost, ['1'], 'only the first run was lost')
})

test('close() hands back a job the worker took again after losing it', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<number>(t, client)
  let runs = 0
  const w = q.process(async (_job, signal) => {
    runs++
    await new Promise(resolve => signal.addEventListener('abort', resolve))
  }, { lease: 60_000, heartbeat: 100 })
  await q.add('j', 1)
  await eventually(() => runs === 1, { what: 'the first run' })
  const expire = client.zadd(q.keys.active, 0, '1')
  await q.checkStalled()
  await expire
  await eventually(() => runs === 2, { ms: 10_000, what: 'the same worker to take the job again' })
  await w.close(50)
  const job = await q.getJob('1')
  t.equal(job?.state, 'waiting', 'handed back at once, not left active until its 60 s lease ends')
  t.equal(job?.stalls, 1)
})

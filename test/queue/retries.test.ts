// Retries with fixed and exponential backoff (+ jitter); attempts exhausted → failed with history.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'
import { backoffDelay } from '../../lib/queue/backoff.js'

test('backoffDelay: fixed, exponential, jitter range and cap', async t => {
  t.equal(backoffDelay(null, 3), 0)
  t.equal(backoffDelay({ type: 'fixed', delay: 100 }, 4), 100)
  t.strictSame([1, 2, 3, 4].map(n => backoffDelay({ type: 'exponential', delay: 100 }, n)), [100, 200, 400, 800])
  t.equal(backoffDelay({ type: 'exponential', delay: 100, jitter: 0.5 }, 2, () => 0), 200)
  t.equal(backoffDelay({ type: 'exponential', delay: 100, jitter: 0.5 }, 2, () => 1), 100)
  t.equal(backoffDelay({ type: 'exponential', delay: 1000 }, 200), 86_400_000)
})

test('a failing job is retried after its exponential backoff, then succeeds', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  const { id } = await q.add('flaky', 1, { attempts: 4, backoff: { type: 'exponential', delay: 50 } })
  let runs = 0
  q.process(() => { if (++runs < 4) throw new Error(`try ${runs}`); return 'finally' })
  await eventually(async () => (await q.getJob(id))?.state === 'completed', { ms: 5000 })
  const job = await q.getJob(id)
  t.equal(job?.returnValue, 'finally')
  t.equal(job?.attemptsMade, 4)
  const at = job?.history.map(h => h.at) as number[]
  t.strictSame(job?.history.map(h => h.attempt), [1, 2, 3])
  // The n-th retry waited at least 50 * 2^(n-1) ms (Redis clock).
  const processed = job?.processedAt as number
  t.ok(processed - at[2] >= 200, 'third retry waited 200 ms')
})

test('a job out of attempts goes to failed (dead letter) with the error of every attempt', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  const { id } = await q.add('doomed', 1, { attempts: 3, backoff: 10 })
  const failures: boolean[] = []
  const w = q.process(() => { throw new TypeError('bad input') })
  w.on('failed', () => failures.push(true))
  await eventually(async () => (await q.getJob(id))?.state === 'failed')
  const job = await q.getJob(id)
  t.equal(job?.attemptsMade, 3)
  t.equal(job?.history.length, 3)
  t.match(job?.history[0].stack, /TypeError: bad input/)
  t.equal(job?.failedReason, 'bad input')
  t.strictSame((await q.getJobs('failed')).map(j => j.id), [id])
  t.equal(failures.length, 3)
})

test('attempts < 1 and unknown backoff types are rejected', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  await t.rejects(q.add('x', 1, { attempts: 0 }), { code: 'FRP_JOB_INVALID' })
  await t.rejects(q.add('x', 1, { backoff: { type: 'linear' as 'fixed', delay: 1 } }), { code: 'FRP_JOB_INVALID' })
  await t.rejects(q.add('x', 1, { backoff: { type: 'fixed', delay: 1, jitter: 2 } }), { code: 'FRP_JOB_INVALID' })
  await t.rejects(q.add('x', 1, { nope: 1 } as never), { code: 'FRP_JOB_INVALID' })
})

test('a job timeout aborts the handler signal and fails the attempt', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  const { id } = await q.add('slow', 1, { timeout: 50 })
  let aborted: unknown
  q.process(async (_job, signal) => {
    await new Promise(resolve => signal.addEventListener('abort', resolve))
    aborted = signal.reason
  })
  await eventually(async () => (await q.getJob(id))?.state === 'failed')
  t.match((await q.getJob(id))?.failedReason, /timed out after 50 ms/)
  await eventually(() => aborted !== undefined)
  t.equal((aborted as { code: string }).code, 'FRP_JOB_TIMEOUT')
})

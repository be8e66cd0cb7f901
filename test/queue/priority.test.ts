// Priorities: lower runs first; FIFO within a priority; the packed score's bounds are enforced.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'
import { deferred } from '../helpers/deferred.js'
import { MAX_PRIORITY } from '../../lib/queue/options.js'

test('jobs run by priority (lower first) and FIFO within a priority', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<string>(t, client)
  const plan: Array<[string, number]> = [['c1', 5], ['a1', 0], ['c2', 5], ['max', MAX_PRIORITY], ['b1', 1], ['a2', 0], ['c3', 5], ['b2', 1]]
  for (const [data, priority] of plan) await q.add('p', data, { priority })
  const seen: string[] = []
  const done = deferred()
  q.process(job => { seen.push(job.data); if (seen.length === plan.length) done.resolve() })
  await done.promise
  t.strictSame(seen, ['a1', 'a2', 'b1', 'b2', 'c1', 'c2', 'c3', 'max'])
})

test('a retried job keeps its priority against newer jobs', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<string>(t, client)
  // 'job' (priority 5) fails its first attempt; meanwhile a more and a less urgent job arrive.
  // Kept priority: it waits between them. Lost priority (0) or sent to the back: it would not.
  await q.add('p', 'job', { priority: 5, attempts: 2 })
  const failed = deferred()
  const first = q.process(async () => {
    await q.add('p', 'later', { priority: 9 })
    await q.add('p', 'urgent', { priority: 1 })
    // Close (without waiting: close waits for this very job) so this worker takes nothing more
    // and the three jobs are compared in the waiting list, not by a race with the retry.
    first.close(60_000).then(() => failed.resolve(), () => {})
    throw new Error('first attempt fails')
  }, { concurrency: 1 })
  await failed.promise
  const retried = await q.getJob('1')
  t.equal(retried?.state, 'waiting', 'retried at once (no backoff)')
  t.equal(retried?.attemptsMade, 1)
  t.strictSame((await q.getJobs('waiting')).map(j => j.data), ['urgent', 'job', 'later'], 'waiting in priority order')
  const seen: string[] = []
  const done = deferred()
  q.process(job => { seen.push(job.data); if (seen.length === 3) done.resolve() }, { concurrency: 1 })
  await done.promise
  t.strictSame(seen, ['urgent', 'job', 'later'])
  t.equal((await q.getJob('1'))?.priority, 5)
})

test('a job given back by a closing worker keeps its priority against newer jobs', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<string>(t, client)
  await q.add('p', 'job', { priority: 5 })
  const started = deferred()
  const first = q.process(async (_job, signal) => {
    started.resolve()
    await new Promise(resolve => signal.addEventListener('abort', resolve))
  }, { concurrency: 1, lease: 60_000 })
  await started.promise
  await q.add('p', 'later', { priority: 9 })
  await q.add('p', 'urgent', { priority: 1 })
  await first.close(50) // gives the unfinished job back to waiting
  t.strictSame((await q.getJobs('waiting')).map(j => j.data), ['urgent', 'job', 'later'], 'waiting in priority order')
  const seen: string[] = []
  const done = deferred()
  q.process(job => { seen.push(job.data); if (seen.length === 3) done.resolve() }, { concurrency: 1 })
  await done.promise
  t.strictSame(seen, ['urgent', 'job', 'later'])
})

test('priority outside 0..2^20-1 or not an integer is rejected before Redis is touched', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  for (const priority of [-1, MAX_PRIORITY + 1, 1.5, Number.NaN]) {
    await t.rejects(q.add('p', 1, { priority }), { code: 'FRP_JOB_INVALID', statusCode: 400 }, `priority ${priority}`)
  }
  t.equal((await q.counts()).waiting, 0)
})

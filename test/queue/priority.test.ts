// Priorities: lower runs first; FIFO within a priority; the packed score's bounds are enforced.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { makeQueue, deferred } from './helpers.js'
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
  t.same(seen, ['a1', 'a2', 'b1', 'b2', 'c1', 'c2', 'c3', 'max'])
})

test('a job retried or returned keeps priority order against newer jobs', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<string>(t, client)
  await q.add('p', 'low', { priority: 9 })
  await q.add('p', 'high', { priority: 1 })
  const jobs = await q.getJobs('waiting')
  t.same(jobs.map(j => j.data), ['high', 'low'])
  t.same(jobs.map(j => j.priority), [1, 9])
})

test('priority outside 0..2^20-1 or not an integer is rejected before Redis is touched', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  for (const priority of [-1, MAX_PRIORITY + 1, 1.5, Number.NaN]) {
    await t.rejects(q.add('p', 1, { priority }), { code: 'FRP_JOB_INVALID', statusCode: 400 }, `priority ${priority}`)
  }
  t.equal((await q.counts()).waiting, 0)
})

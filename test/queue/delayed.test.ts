// Delayed jobs: promoted atomically when due (Redis clock), by an idle worker that sleeps on the
// marker exactly until the earliest due time, not until its block timeout.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { makeQueue, deferred } from './helpers.js'

test('a delayed job runs at its due time, not before, and well before the block timeout', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  const ran = deferred<string>()
  q.process(job => ran.resolve(job.id), { blockTimeout: 30_000 })
  const { id } = await q.add('later', 1, { delay: 300 })
  const job = await q.getJob(id)
  t.equal(job?.state, 'delayed')
  const due = job?.delayUntil as number
  t.ok(due >= (job?.createdAt as number) + 300)
  t.equal((await q.counts()).delayed, 1)
  await ran.promise
  const done = await q.getJob(id)
  const lateness = (done?.processedAt as number) - due
  t.ok(lateness >= 0, 'never early')
  // The worker was blocked with a 30 s timeout: it woke for the due time, not the timeout.
  t.ok(lateness < 5000, `promoted at its due time (late by ${lateness} ms)`)
})

test('delayed jobs queue behind jobs already waiting, in due order', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<string>(t, client)
  await q.add('d', 'second-due', { delay: 120 })
  await q.add('d', 'first-due', { delay: 60 })
  const seen: string[] = []
  const done = deferred()
  q.process(job => { seen.push(job.data); if (seen.length === 2) done.resolve() })
  await done.promise
  t.same(seen, ['first-due', 'second-due'])
})

test('negative or non-integer delays are rejected', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  await t.rejects(q.add('d', 1, { delay: -5 }), { code: 'FRP_JOB_INVALID' })
  await t.rejects(q.add('d', 1, { delay: 1.5 }), { code: 'FRP_JOB_INVALID' })
  t.same((await q.counts()).delayed, 0)
})

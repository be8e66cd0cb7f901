// Delayed jobs: promoted atomically when due (Redis clock), by an idle worker that sleeps on the
// marker exactly until the earliest due time, not until its block timeout.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'
import { deferred, within } from '../helpers/deferred.js'

test('a delayed job runs at its due time, not before, and long before the block timeout', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  const ran = deferred<string>()
  // The idle worker blocks with a 120 s timeout, and its stalled-lease check (which also promotes
  // due jobs) runs every 120 s: only waking for the due time lets the job run within the 30 s
  // deadline below.
  q.process(job => ran.resolve(job.id), { blockTimeout: 120_000, stalledInterval: 120_000 })
  const { id } = await q.add('later', 1, { delay: 2000 })
  const job = await q.getJob(id)
  t.equal(job?.state, 'delayed')
  const due = job?.delayUntil as number
  t.ok(due >= (job?.createdAt as number) + 2000)
  t.equal((await q.counts()).delayed, 1)
  await within(ran.promise, 30_000, 'the delayed job to run')
  const done = await q.getJob(id)
  t.ok((done?.processedAt as number) >= due, 'never early (Redis time)')
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
  t.strictSame(seen, ['first-due', 'second-due'])
})

test('negative or non-integer delays are rejected', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  await t.rejects(q.add('d', 1, { delay: -5 }), { code: 'FRP_JOB_INVALID' })
  await t.rejects(q.add('d', 1, { delay: 1.5 }), { code: 'FRP_JOB_INVALID' })
  t.strictSame((await q.counts()).delayed, 0)
})

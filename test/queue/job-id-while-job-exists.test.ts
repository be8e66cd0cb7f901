// Pins "adding the same jobId twice creates one job" while the job exists, whatever the dedup
// window (mutation drill: queue-job-id-not-deduplicated). idempotent.test.ts runs with a window,
// whose reservation key refuses the duplicate by itself; with `dedupWindow: 0`, or once a window
// has ended while the job is still queued, the job's own existence is the only guard.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'

test('dedupWindow 0: a jobId is taken for as long as its job exists', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client, { dedupWindow: 0 })
  t.same(await q.add('pay', { amount: 1 }, { jobId: 'order-7' }), { id: 'order-7', created: true })
  t.same(await q.add('pay', { amount: 999 }, { jobId: 'order-7' }), { id: 'order-7', created: false })
  t.same((await q.getJob('order-7'))?.data, { amount: 1 }, 'the first job is untouched')
  t.equal((await q.counts()).waiting, 1, 'one job')
})

test('a window that ended while the job still waits does not let a duplicate in', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client, { dedupWindow: 100 })
  t.equal((await q.add('pay', 1, { jobId: 'order-8' })).created, true)
  // The window's reservation key expires; the job itself is still waiting (no worker runs).
  await eventually(async () => await client.exists(`${q.keys.prefix}uniq:order-8`) === 0, { ms: 10_000, what: 'the dedup window to end' })
  t.equal((await q.add('pay', 2, { jobId: 'order-8' })).created, false, 'the waiting job still holds its id')
  t.equal((await q.getJob('order-8'))?.data, 1)
  t.equal((await q.counts()).waiting, 1)
})

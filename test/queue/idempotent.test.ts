// jobId makes add idempotent for the dedup window, even after the job itself is gone.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'

test('adding the same jobId twice creates one job', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  t.strictSame(await q.add('pay', { amount: 1 }, { jobId: 'order-42' }), { id: 'order-42', created: true })
  t.strictSame(await q.add('pay', { amount: 999 }, { jobId: 'order-42' }), { id: 'order-42', created: false })
  t.strictSame((await q.getJob('order-42'))?.data, { amount: 1 })
  const bulk = await q.addBulk([{ name: 'pay', data: 2, opts: { jobId: 'order-42' } }, { name: 'pay', data: 3, opts: { jobId: 'order-43' } }])
  t.strictSame(bulk.map(b => b.created), [false, true])
  t.equal((await q.counts()).waiting, 2)
})

test('the jobId stays reserved after the job is completed and removed, until the window ends', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client, { dedupWindow: 300, defaultJobOptions: { removeOnComplete: true } })
  await q.add('once', 1, { jobId: 'welcome-mail' })
  q.process(() => 'sent')
  await eventually(async () => (await q.getJob('welcome-mail')) === null && (await q.counts()).active === 0)
  t.equal((await q.add('once', 1, { jobId: 'welcome-mail' })).created, false, 'retention is over, the window is not')
  await eventually(async () => (await q.add('once', 2, { jobId: 'welcome-mail' })).created, { ms: 3000, every: 50 })
})

test('integer-like or empty jobIds are rejected (they would collide with generated ids)', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  for (const jobId of ['', '17', 'x'.repeat(300)]) await t.rejects(q.add('x', 1, { jobId }), { code: 'FRP_JOB_INVALID' })
})

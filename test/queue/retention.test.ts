// Retention of finished jobs (removeOnComplete / removeOnFail): the completed and failed sets are
// trimmed by count and by age inside the take and fail scripts, job hashes deleted with them.
import { test } from 'tap'
import { topologies, startTopology, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'
import { untilRedisMs } from '../helpers/redis-time.js'

for (const topology of topologies()) {
  test(`${topology}: retention of finished jobs`, async t => {
    const redis = (await startTopology(t, topology)).client()

    await t.test('removeOnComplete: N keeps the last N completed jobs and deletes the others', async t => {
      const q = makeQueue<number>(t, redis, { defaultJobOptions: { removeOnComplete: 3 } })
      for (let i = 1; i <= 6; i++) await q.add('n', i)
      q.process(job => job.data * 2)
      await eventually(async () => (await q.counts()).waiting === 0 && (await q.counts()).active === 0, { what: 'every job processed' })
      await eventually(async () => (await q.counts()).completed === 3, { what: 'the completed set trimmed to 3' })
      t.strictSame((await q.getJobs('completed')).map(j => j.id).sort(), ['4', '5', '6'], 'the most recent ones stay')
      t.equal(await q.getJob('1'), null, 'a trimmed job hash is deleted')
      t.equal((await q.getJob('6'))?.returnValue, 12)
    })

    await t.test('removeOnFail: { count } caps the dead-letter set', async t => {
      const q = makeQueue<number>(t, redis, { defaultJobOptions: { removeOnFail: { count: 2 } } })
      for (let i = 1; i <= 5; i++) await q.add('n', i)
      q.process(() => { throw new Error('boom') })
      await eventually(async () => {
        const c = await q.counts()
        return c.waiting === 0 && c.active === 0 && c.failed === 2
      }, { what: 'every job failed, the failed set trimmed to 2' })
      t.strictSame((await q.getJobs('failed')).map(j => j.id).sort(), ['4', '5'])
      t.equal(await q.getJob('3'), null)
    })

    await t.test('removeOnFail: { age } drops failed jobs older than age at the next failure', async t => {
      const q = makeQueue<number>(t, redis, { defaultJobOptions: { removeOnFail: { age: 50 } } })
      q.process(() => { throw new Error('boom') })
      const first = await q.add('n', 1)
      await eventually(async () => (await q.counts()).failed === 1, { what: 'the first failure' })
      const failedAt = (await q.getJob(first.id))?.finishedAt ?? 0
      t.ok(failedAt > 0)
      // Wait on the Redis clock (the script's clock), not a local sleep.
      await untilRedisMs(redis, failedAt + 51, { what: 'the first failure to be older than the age limit' })
      const second = await q.add('n', 2)
      await eventually(async () => (await q.getJob(second.id))?.state === 'failed', { what: 'the second failure' })
      t.equal(await q.getJob(first.id), null, 'the old failed job is gone')
      t.strictSame((await q.getJobs('failed')).map(j => j.id), [second.id])
    })
  })
}

// The queue's operator methods the dashboard uses: cursor paging (every job once, in order, even
// while jobs leave the state), promote, retryFailed, and the per-minute throughput counters the
// finishing scripts keep.
import { test } from 'tap'
import { topologies, startTopology, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'
import type { JobState } from '../../lib/queue/job.js'
import type { Queue } from '../../lib/queue/queue.js'

async function allPages (q: Queue<any, any>, state: JobState, limit: number): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | null = null
  do {
    const page = await q.getJobsPage(state, { cursor, limit })
    t0(page.jobs.length <= limit)
    ids.push(...page.jobs.map(j => j.id))
    cursor = page.next
  } while (cursor !== null)
  return ids
}
function t0 (ok: boolean): void { if (!ok) throw new Error('page larger than its limit') }

for (const topology of topologies()) {
  test(`${topology}: queue admin methods`, async t => {
    const redis = (await startTopology(t, topology)).client()

    await t.test('getJobsPage walks a state page by page in getJobs\' order, every job once', async t => {
      const q = makeQueue(t, redis)
      await q.addBulk(Array.from({ length: 23 }, (_, i) => ({ name: 'n', data: i, opts: { priority: i % 3 } })))
      const expected = (await q.getJobs('waiting', { limit: 100 })).map(j => j.id)
      t.strictSame(await allPages(q, 'waiting', 5), expected)
      const first = await q.getJobsPage('waiting', { limit: 23 })
      t.equal(first.next, null, 'a page holding the rest has no next')
      t.strictSame(await q.getJobsPage('failed'), { jobs: [], next: null })
    })

    await t.test('newest first for finished jobs, and a cursor whose job left the set resumes without skipping', async t => {
      const q = makeQueue<number>(t, redis)
      await q.addBulk(Array.from({ length: 12 }, (_, i) => ({ name: 'n', data: i })))
      const w = q.process(() => 1)
      await eventually(async () => (await q.counts()).completed === 12)
      await w.close()
      const expected = (await q.getJobs('completed', { limit: 100 })).map(j => j.id)
      t.strictSame(await allPages(q, 'completed', 4), expected)
      const p1 = await q.getJobsPage('completed', { limit: 4 })
      await q.remove(p1.jobs[3].id) // the cursor's own job goes away
      // Jobs finished in the same ms as the cursor's may show again; none may be skipped.
      const shown = new Set(p1.jobs.map(j => j.id))
      let cursor = p1.next
      while (cursor !== null) {
        const page = await q.getJobsPage('completed', { limit: 4, cursor })
        for (const j of page.jobs) shown.add(j.id)
        cursor = page.next
      }
      t.strictSame(expected.filter(id => !shown.has(id)), [], 'every job still there is shown')
    })

    await t.test('a malformed cursor or limit is FRP_JOB_INVALID', async t => {
      const q = makeQueue(t, redis)
      await t.rejects(q.getJobsPage('waiting', { cursor: 'nope' }), { code: 'FRP_JOB_INVALID' })
      await t.rejects(q.getJobsPage('waiting', { cursor: 'x:1' }), { code: 'FRP_JOB_INVALID' })
      await t.rejects(q.getJobsPage('waiting', { limit: 0 }), { code: 'FRP_JOB_INVALID' })
      await t.rejects(q.getJobsPage('nope' as JobState), { code: 'FRP_JOB_INVALID' })
    })

    await t.test('promote makes a delayed job waiting now; other states are FRP_JOB_STATE', async t => {
      const q = makeQueue(t, redis)
      const { id } = await q.add('n', 1, { delay: 3_600_000 })
      const other = await q.add('n', 2)
      await q.promote(id)
      const job = await q.getJob(id)
      t.equal(job?.state, 'waiting')
      t.equal(job?.delayUntil, undefined)
      t.strictSame((await q.getJobs('waiting')).map(j => j.id), [other.id, id], 'behind the jobs already waiting')
      await t.rejects(q.promote(id), { code: 'FRP_JOB_STATE', message: /cannot be promoted: it is waiting/ })
      await t.rejects(q.promote('404'), { code: 'FRP_JOB_NOT_FOUND' })
    })

    await t.test('retryFailed moves every failed job back to waiting, past one batch', async t => {
      const q = makeQueue(t, redis)
      await q.addBulk(Array.from({ length: 130 }, (_, i) => ({ name: 'n', data: i, opts: { attempts: 1 } })))
      const w = q.process(() => { throw new Error('no') })
      await eventually(async () => (await q.counts()).failed === 130, { ms: 20_000 })
      await w.close()
      t.equal(await q.retryFailed({ limit: 10 }), 10, 'up to limit')
      t.equal(await q.retryFailed(), 120, 'then all the rest')
      const c = await q.counts()
      t.equal(c.failed, 0)
      t.equal(c.waiting, 130)
      t.equal(await q.retryFailed(), 0, 'nothing left')
    })

    await t.test('throughput counts completions and final failures per minute, not retried attempts', async t => {
      const q = makeQueue<number>(t, redis)
      await q.addBulk([
        ...Array.from({ length: 5 }, (_, i) => ({ name: 'ok', data: i })),
        ...Array.from({ length: 3 }, (_, i) => ({ name: 'bad', data: i, opts: { attempts: 2 } }))
      ])
      const w = q.process(job => { if (job.name === 'bad') throw new Error('no'); return 1 })
      await eventually(async () => { const c = await q.counts(); return c.completed === 5 && c.failed === 3 }, { ms: 20_000 })
      await w.close()
      const minutes = await q.throughput()
      t.equal(minutes.length, 60)
      t.ok(minutes.every((m, i) => i === 0 || m.at - minutes[i - 1].at === 60_000), 'consecutive minutes, oldest first')
      t.equal(minutes.reduce((a, m) => a + m.completed, 0), 5, 'completed')
      t.equal(minutes.reduce((a, m) => a + m.failed, 0), 3, 'failed for good (each job once, not per attempt)')
      t.equal((await q.throughput({ minutes: 5 })).length, 5)
      await t.rejects(q.throughput({ minutes: 500 }), { code: 'FRP_JOB_INVALID' })
    })
  })
}

// The core suite, on every topology: add, process, counts, getJob/getJobs, events, retry, remove.
import { test } from 'tap'
import { coreTopologies, startTopology, startRedis, eventually } from '../helpers/redis.js'
import { scriptCalls } from '../helpers/command-stats.js'
import { makeQueue } from './helpers.js'
import { deferred } from '../helpers/deferred.js'

for (const topology of coreTopologies()) {
  test(`${topology}: core queue behaviour`, async t => {
    const redis = (await startTopology(t, topology)).client()

    await t.test('add returns increasing ids and the job is stored waiting with its data', async t => {
      const q = makeQueue(t, redis)
      const a = await q.add('email', { to: 'a@x' })
      const b = await q.add('email', { to: 'b@x' })
      t.strictSame(a, { id: '1', created: true })
      t.equal(b.id, '2')
      const job = await q.getJob('1')
      t.equal(job?.state, 'waiting')
      t.strictSame(job?.data, { to: 'a@x' })
      t.equal(job?.name, 'email')
      t.equal(await q.getJob('nope'), null)
      t.strictSame(await q.counts(), { waiting: 2, delayed: 0, active: 0, completed: 0, failed: 0, paused: false })
    })

    await t.test('identical payloads are two jobs, run in FIFO order', async t => {
      const q = makeQueue<number>(t, redis)
      for (let i = 0; i < 5; i++) await q.add('same', 7)
      const seen: string[] = []
      const done = deferred()
      const w = q.process(job => { seen.push(job.id); if (seen.length === 5) done.resolve() })
      await done.promise
      await w.close()
      t.strictSame(seen, ['1', '2', '3', '4', '5'])
      await eventually(async () => (await q.counts()).completed === 5)
    })

    await t.test('a handler result is stored on the completed job and falsy values survive', async t => {
      const q = makeQueue<number, unknown>(t, redis)
      const results = [0, false, '', null, { a: 1 }]
      for (let i = 0; i < results.length; i++) await q.add('r', i)
      q.process(job => results[job.data], { concurrency: 5 })
      await eventually(async () => (await q.counts()).completed === 5)
      for (let i = 0; i < results.length; i++) {
        const j = await q.getJob(String(i + 1))
        t.equal(j?.state, 'completed')
        t.strictSame(j?.returnValue, results[i])
        t.equal(j?.attemptsMade, 1)
      }
      const list = await q.getJobs('completed', { limit: 2 })
      t.equal(list.length, 2)
    })

    await t.test('addBulk adds every job in order in few round trips', async t => {
      const q = makeQueue<number>(t, redis)
      const res = await q.addBulk(Array.from({ length: 1200 }, (_, i) => ({ name: 'b', data: i })))
      t.equal(res.length, 1200)
      t.equal(res[1199].id, '1200')
      t.equal((await q.counts()).waiting, 1200)
      const first = await q.getJobs('waiting', { limit: 3, offset: 10 })
      t.strictSame(first.map(j => j.data), [10, 11, 12])
    })

    await t.test('an invalid job in addBulk adds nothing', async t => {
      const q = makeQueue(t, redis)
      await t.rejects(q.addBulk([{ name: 'a', data: 1 }, { name: 'b', data: 2, opts: { attempts: 0 } }]), { code: 'FRP_JOB_INVALID' })
      t.equal((await q.counts()).waiting, 0)
    })

    await t.test('failed jobs keep error, stack and history; retry() runs them again', async t => {
      const q = makeQueue(t, redis)
      await q.add('boom', null, { attempts: 2 })
      let runs = 0
      const w = q.process(() => { runs++; if (runs <= 2) throw new Error(`fail ${runs}`); return 'ok' })
      await eventually(async () => (await q.counts()).failed === 1)
      const job = await q.getJob('1')
      t.equal(job?.state, 'failed')
      t.equal(job?.failedReason, 'fail 2')
      t.match(job?.stacktrace, /fail 2/)
      t.strictSame(job?.history.map(h => h.error), ['fail 1', 'fail 2'])
      t.equal(job?.attemptsMade, 2)
      await q.retry('1')
      await eventually(async () => (await q.getJob('1'))?.state === 'completed')
      t.equal(runs, 3)
      await w.close()
      await t.rejects(q.retry('1234'), { code: 'FRP_JOB_NOT_FOUND' })
    })

    await t.test('remove() deletes a waiting job and refuses an active one', async t => {
      const q = makeQueue(t, redis)
      await q.add('a', 1)
      await q.remove('1')
      t.equal(await q.getJob('1'), null)
      await t.rejects(q.remove('1'), { code: 'FRP_JOB_NOT_FOUND' })
      await q.add('b', 2)
      const gate = deferred()
      const started = deferred()
      const w = q.process(async () => { started.resolve(); await gate.promise })
      await started.promise
      await t.rejects(q.remove('2'), { code: 'FRP_JOB_ACTIVE' })
      await t.rejects(q.retry('2'), { code: 'FRP_JOB_STATE' })
      gate.resolve()
      await w.close()
    })

    await t.test('events stream delivers added, active, completed and progress', async t => {
      const q = makeQueue(t, redis)
      const ev = q.events()
      await ev.waitUntilReady()
      const seen: string[] = []
      const completed = deferred<unknown>()
      ev.on('event', e => seen.push(e.event))
      ev.on('completed', e => completed.resolve(e.returnValue))
      await q.add('p', 1)
      q.process(async job => { await job.updateProgress({ pct: 50 }); return 'done' })
      t.equal(await completed.promise, 'done')
      t.strictSame(seen, ['added', 'active', 'progress', 'completed'])
      t.strictSame((await q.getJob('1'))?.progress, { pct: 50 })
    })

    await t.test('resume wakes the idle workers of a paused queue', async t => {
      const q = makeQueue(t, redis)
      await q.pause()
      t.equal(await q.isPaused(), true)
      let runs = 0
      q.process(() => { runs++ })
      await q.add('x', 1)
      const before = await q.counts()
      t.equal(before.paused, true)
      await q.resume()
      await eventually(() => runs === 1)
      t.equal((await q.counts()).paused, false)
    })

    await t.test('drain removes waiting and delayed jobs, clean removes old finished ones', async t => {
      const q = makeQueue(t, redis)
      await q.addBulk(Array.from({ length: 30 }, (_, i) => ({ name: 'd', data: i })))
      await q.add('later', 1, { delay: 60_000 })
      t.equal(await q.drain(), 31)
      t.strictSame(await q.counts(), { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0, paused: false })
      await q.addBulk(Array.from({ length: 4 }, (_, i) => ({ name: 'c', data: i })))
      q.process(() => 1, { concurrency: 4 })
      await eventually(async () => (await q.counts()).completed === 4)
      const removed = await q.clean('completed', { age: 0, limit: 3 })
      t.equal(removed.length, 3)
      t.equal((await q.counts()).completed, 1)
    })
  })
}

// Standalone only: it counts the scripts Redis ran, to know the worker looked at the queue.
test('pause stops taking jobs: a worker that looks at the queue after an add leaves the job waiting', async t => {
  const server = await startRedis(t)
  const q = makeQueue(t, server.client())
  await q.pause()
  let runs = 0
  q.process(() => { runs++ })
  await q.add('x', 1) // re-arms the marker: an idle worker wakes and runs its take script
  // An idle worker runs no script but 'take': one run after the add saw the job.
  const added = await scriptCalls(server.admin)
  await eventually(async () => await scriptCalls(server.admin) > added, { what: 'the worker to try to take after the add' })
  const counts = await q.counts()
  t.equal(counts.waiting, 1, 'the job is still waiting')
  t.equal(counts.active, 0)
  t.equal(runs, 0, 'the handler never ran')
  await q.resume()
  await eventually(() => runs === 1, { what: 'the job to run after resume' })
})

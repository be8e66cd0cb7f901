// Worker options documented in docs/queue.md and not tested elsewhere: `autorun: false` (the worker
// takes nothing until run()) and `closeTimeout` (the graceful-close wait of queue.close()/close()).
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue, deferred } from './helpers.js'

test('autorun: false takes no job until run() is called', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<number>(t, client)
  const control = makeQueue<number>(t, client)
  let ran = 0
  const w = q.process(() => { ran++; return 'ok' }, { autorun: false })
  await q.add('held', 1)
  // A worker started (with autorun) at the same moment on another queue runs its job; by then an
  // autorunning worker would long have taken ours.
  const done = deferred()
  control.process(() => { done.resolve() })
  await control.add('probe', 1)
  await done.promise
  await eventually(async () => (await control.getJob('1'))?.state === 'completed', { what: 'the control job to complete' })
  t.equal(ran, 0, 'the handler did not run')
  t.equal(w.running, 0)
  t.equal((await q.getJob('1'))?.state, 'waiting', 'the job is still waiting')
  t.match(await q.counts(), { waiting: 1, active: 0 })

  w.run()
  await eventually(async () => (await q.getJob('1'))?.state === 'completed', { what: 'the job to complete after run()' })
  t.equal(ran, 1)
  t.equal((await q.getJob('1'))?.returnValue, 'ok')
  w.run() // idempotent: a second call starts no second loop
  await q.add('next', 2)
  await eventually(async () => (await q.getJob('2'))?.state === 'completed')
  t.equal(ran, 2)
})

test('closeTimeout: queue.close() waits that long for a running job, then hands it back and aborts it', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<number>(t, client)
  // The listener and the checks use a second Queue object: q.close() closes q's own listeners.
  const other = makeQueue<number>(t, client, {}, q.name)
  const ev = other.events()
  await ev.waitUntilReady()
  let released: string | undefined
  ev.on('released', e => { released = e.jobId })
  await q.add('long', 1)
  const started = deferred()
  let abortReason: unknown
  // The handler finishes by itself after 5 s, well under the 10 s default: if closeTimeout were
  // ignored, close() would wait for it and the job would end completed.
  q.process(async (_job, signal) => {
    started.resolve()
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, 5000)
      signal.addEventListener('abort', () => { clearTimeout(timer); abortReason = signal.reason; resolve() })
    })
    return 'finished by itself'
  }, { closeTimeout: 100, lease: 60_000 })
  await started.promise
  await q.close()
  t.match(abortReason, { code: 'FRP_JOB_NOT_OWNER' }, 'the handler\'s signal was aborted at the hand-back')
  const job = await other.getJob('1')
  t.equal(job?.state, 'waiting', 'handed back to waiting, not completed')
  t.equal(job?.stalls, 0, 'a hand-back is not a stall')
  await eventually(() => released !== undefined, { ms: 10_000, what: 'the released event' })
  t.equal(released, '1', 'a released event names the job')
})

test('closeTimeout: queue.close() lets a job that finishes within closeTimeout complete', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<number>(t, client)
  await q.add('short', 1)
  const started = deferred()
  const gate = deferred()
  let aborted = false
  q.process(async (_job, signal) => {
    started.resolve()
    signal.addEventListener('abort', () => { aborted = true })
    await gate.promise
    return 'done'
  }, { closeTimeout: 30_000 })
  await started.promise
  const closing = q.close()
  gate.resolve() // finishes while close() waits
  await closing
  t.equal(aborted, false)
  const other = makeQueue<number>(t, client, {}, q.name)
  t.equal((await other.getJob('1'))?.state, 'completed')
  t.equal((await other.getJob('1'))?.returnValue, 'done')
})

// Issue 16 item 8 (the queue's share): Queue, Worker and QueueEvents have typed on/once/off, and
// the events carry what a metric needs: the handler's run time on completed/failed, whether a
// failed attempt was final, and the Queue's own 'added' (job id, name) for jobs it created.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'

test('Worker completed (job, result, durationMs) and failed (job, err, durationMs, final)', async t => {
  const q = makeQueue<number, string>(t, (await startRedis(t)).client())
  const completed: Array<[string, string, number]> = []
  const failed: Array<[string, string, number, boolean]> = []
  const w = q.process(async job => {
    await new Promise(resolve => setTimeout(resolve, 20))
    if (job.name === 'bad') throw new Error('nope')
    return `done ${job.data}`
  })
  w.on('completed', (job, result, durationMs) => { completed.push([job.id, result, durationMs]) })
  w.on('failed', (job, err, durationMs, final) => { failed.push([job.id, err.message, durationMs, final]) })
  // @ts-expect-error an event the Worker does not have
  w.on('finished', () => {})
  // @ts-expect-error a listener with the wrong arguments
  w.on('lost', (job: string) => job)
  await q.add('ok', 1)
  await q.add('bad', 2, { attempts: 2 })
  await eventually(() => completed.length === 1 && failed.length === 2, { what: 'the runs to be reported' })
  t.strictSame(completed.map(([id, result]) => [id, result]), [['1', 'done 1']])
  t.strictSame(failed.map(([id, message, , final]) => [id, message, final]), [['2', 'nope', false], ['2', 'nope', true]],
    'the first failed attempt is retried (final false), the last is final')
  // The handler waits 20 ms; a timer may fire a little early, never much.
  for (const [, , ms] of completed) t.ok(ms >= 15, `completed durationMs ${ms} is the handler's run time`)
  for (const [, , ms] of failed) t.ok(ms >= 15, `failed durationMs ${ms} is the handler's run time`)
})

test("Queue 'added' (id, name) for every job add or addBulk created, none for a used jobId", async t => {
  const q = makeQueue<number>(t, (await startRedis(t)).client())
  const added: Array<[string, string]> = []
  q.on('added', (id, name) => { added.push([id, name]) })
  await q.add('a', 1)
  await q.add('b', 2, { jobId: 'mine' })
  await q.add('again', 3, { jobId: 'mine' })
  await q.addBulk([{ name: 'c', data: 4 }, { name: 'dup', data: 5, opts: { jobId: 'mine' } }, { name: 'd', data: 6 }])
  t.strictSame(added, [['1', 'a'], ['mine', 'b'], ['2', 'c'], ['3', 'd']])
  const once: string[] = []
  const listener = (id: string): void => { once.push(id) }
  q.once('added', listener)
  q.off('added', listener)
  await q.add('e', 7)
  t.strictSame(once, [], 'off removes a listener')
})

test('QueueEvents listeners get the QueueEvent; event names are checked', async t => {
  const q = makeQueue<number>(t, (await startRedis(t)).client())
  const ev = q.events()
  await ev.waitUntilReady()
  const seen: string[] = []
  ev.on('added', e => { seen.push(`${e.event}:${e.jobId ?? ''}:${e.name ?? ''}`) })
  // @ts-expect-error not an event of the stream
  ev.on('finished', () => {})
  await q.add('a', 1)
  await eventually(() => seen.length === 1)
  t.strictSame(seen, ['added:1:a'])
})

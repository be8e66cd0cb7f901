// Per-queue rate limit and global concurrency, enforced in the take script across workers.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'
import { deferred } from '../helpers/deferred.js'

test('the rate limit lets at most `max` jobs start per window, across workers', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  await q.addBulk(Array.from({ length: 6 }, (_, i) => ({ name: 'r', data: i })))
  const limiter = { max: 2, duration: 400 }
  q.process(() => 1, { concurrency: 5, limiter })
  q.process(() => 1, { concurrency: 5, limiter })
  await eventually(async () => (await q.counts()).completed === 6, { ms: 8000 })
  const starts = (await q.getJobs('completed')).map(j => j.processedAt as number).sort((a, b) => a - b)
  // Jobs 0-1, 2-3, 4-5 fall in three successive windows of 400 ms.
  t.ok(starts[2] - starts[0] >= 390, `third start waited for the next window (${starts[2] - starts[0]} ms)`)
  t.ok(starts[4] - starts[0] >= 790, `fifth start waited two windows (${starts[4] - starts[0]} ms)`)
})

test('global concurrency caps active jobs across all workers of the queue', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  await q.addBulk(Array.from({ length: 30 }, (_, i) => ({ name: 'g', data: i })))
  let running = 0
  let peak = 0
  // Jobs are held until the test has seen three run at once: 15 worker slots want work
  // meanwhile, so a cap that did not hold would show in the active count and the peak.
  const three = deferred()
  const release = deferred()
  const handler = async (): Promise<void> => {
    running++
    peak = Math.max(peak, running)
    if (running === 3) three.resolve()
    await release.promise
    running--
  }
  for (let i = 0; i < 3; i++) q.process(handler, { concurrency: 5, globalConcurrency: 3 })
  await three.promise
  t.equal((await q.counts()).active, 3, 'three jobs active while held')
  release.resolve()
  await eventually(async () => (await q.counts()).completed === 30, { ms: 20_000 })
  t.equal(peak, 3, 'three ran at once, never more')
})

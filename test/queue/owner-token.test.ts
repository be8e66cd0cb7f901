// Pins "only the worker holding a job's lease token can complete it or fail it" (mutation drill:
// queue-complete-no-owner-token, queue-fail-no-owner-token). The SIGSTOP test in lifecycle.test.ts
// sends its stale completion after the new owner finished, when the job has already left `active`
// and the active-set check alone refuses it. Here the stale worker answers while the job is active
// under its new owner, so the token is the only thing between a stale worker and the new owner's
// job. The workers are driven through the scripts (as lifecycle.test.ts's maxStalls test does) so
// that the order of the steps is exact.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'
import { scripts } from '../../lib/queue/scripts.js'
import type { QueueKeys } from '../../lib/queue/keys.js'

type Reply = Array<string | number>

function take (client: Parameters<typeof scripts.run>[0], k: QueueKeys, worker: string, max: number, lease: number, done: Array<[string, string, string]> = []): Promise<Reply> {
  return scripts.run<Reply>(client, 'take', [k.waiting, k.delayed, k.active, k.marker, k.events, k.meta, k.limiter, k.failed, k.completed],
    [k.prefix, worker, max, lease, 0, 0, 0, 5, 100, done.length, ...done.flat()])
}

test('a stale worker can neither complete nor fail a job that another worker now owns', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<number, string>(t, client)
  const k = q.keys
  const { id } = await q.add('contended', 1)

  // Worker "stale" takes the job with a 30 ms lease and goes quiet (a pause, a partition).
  const first = await take(client, k, 'stale', 1, 30)
  t.equal(first[3], id, 'the stale worker took the job')
  const staleToken = String(first[4])

  // Once the lease expired, worker "fresh" reclaims the job and takes it with a token of its own.
  let second: Reply = []
  await eventually(async () => {
    second = await take(client, k, 'fresh', 1, 60_000)
    return second.length > 3
  }, { ms: 10_000, what: 'the expired lease to be reclaimed and the job taken again' })
  t.equal(second[3], id, 'the fresh worker took the same job')
  const freshToken = String(second[4])
  t.not(freshToken, staleToken, 'with a new token')

  // The stale worker wakes up and reports its result: refused, the job stays the fresh worker's.
  const staleDone = await take(client, k, 'stale', -1, 60_000, [[id, staleToken, q.codec.encode('stale')]])
  t.equal(staleDone[3], 0, 'a completion under the old token is refused')
  let job = await q.getJob(id)
  t.equal(job?.state, 'active', 'the job is still active')
  t.equal(job?.returnValue, undefined, 'and carries no result from the stale worker')

  // Nor can it fail the job (which would retry or dead-letter the fresh worker's running job).
  const failed = await scripts.run<number>(client, 'fail', [k.active, k.failed, k.delayed, k.waiting, k.events, k.meta, k.marker],
    [k.prefix, 100, id, staleToken, 'stale error', '', -1, JSON.stringify({ attempt: 1, error: 'stale error', stack: '' })])
  t.equal(failed, 0, 'a failure under the old token is refused')
  job = await q.getJob(id)
  t.equal(job?.state, 'active', 'the job is still active')
  t.equal(job?.failedReason, undefined, 'with no error recorded')

  // The owner's completion goes through.
  const freshDone = await take(client, k, 'fresh', -1, 60_000, [[id, freshToken, q.codec.encode('fresh')]])
  t.equal(freshDone[3], 1, 'the owner completes the job')
  job = await q.getJob(id)
  t.equal(job?.state, 'completed')
  t.equal(job?.returnValue, 'fresh')
})

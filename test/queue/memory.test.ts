// Issue 22 (cost at scale): what a job costs in Redis. A small job's hash stays a listpack and holds
// only what differs from the defaults; priority-0 waiting jobs sit in a list (a few bytes each),
// not in the sorted set (~100 bytes each past 128 members); every transient key carries a TTL;
// jobs written in the previous format (every field stored, priority 0 in the sorted set) still run.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'

const small = (i: number) => ({ to: `user${i}@example.com`, template: 'welcome', n: i })

test('issue 22: a small job is a listpack hash holding no default field, in the waiting list', async t => {
  const redis = (await startRedis(t)).client()
  const q = makeQueue(t, redis)
  const { id } = await q.add('send', small(1))
  const key = q.keys.job(id)
  t.equal(await redis.object('ENCODING', key), 'listpack', 'the job hash is a listpack')
  t.strictSame(Object.keys(await redis.hgetall(key)).sort(), ['data', 'name', 'st', 'ts'], 'only name, data, creation time and state are stored')
  t.strictSame(await redis.lrange(q.keys.waitList, 0, -1), [id], 'a priority-0 job waits in the list')
  t.equal(await redis.zcard(q.keys.waiting), 0, 'not in the sorted set')
  const job = await q.getJob(id)
  t.match(job, { state: 'waiting', priority: 0, attempts: 1, backoff: null, timeout: 0, data: small(1) }, 'missing fields read as their defaults')

  const opts = { priority: 3, attempts: 4, backoff: 10, timeout: 500, removeOnComplete: 5, removeOnFail: 6 }
  const p = await q.add('send', small(2), opts)
  const h = await redis.hgetall(q.keys.job(p.id))
  t.strictSame(Object.keys(h).sort(), ['att', 'bo', 'data', 'name', 'prio', 'roc', 'rof', 'sc', 'st', 'to', 'ts'], 'options that differ are stored')
  t.equal(await redis.zscore(q.keys.waiting, p.id) !== null, true, 'a prioritized job waits in the sorted set')
  t.match(await q.getJob(p.id), { priority: 3, attempts: 4, timeout: 500, backoff: { type: 'fixed', delay: 10 } })
  t.strictSame((await q.getJobs('waiting')).map(j => j.id), [id, p.id], 'getJobs: the list, then the sorted set')
  t.equal((await q.counts()).waiting, 2, 'counts add both')

  // Processed: the list first (priority 0 is the highest), and a completed job keeps no token.
  const order: string[] = []
  q.process(job => { order.push(job.id) })
  await eventually(async () => (await q.counts()).completed === 2, { what: 'both jobs completed' })
  t.strictSame(order, [id, p.id], 'the list is taken before the sorted set')
  t.equal(await redis.object('ENCODING', key), 'listpack', 'a completed small job is still a listpack')
  t.strictSame(Object.keys(await redis.hgetall(key)).sort(), ['data', 'fOn', 'made', 'name', 'pOn', 'st', 'tk', 'ts'], 'no token and no empty return value kept')
})

test('issue 22: a job written by the previous version (every field, priority 0 in the sorted set) is read, taken and retained as before', async t => {
  const redis = (await startRedis(t)).client()
  const q = makeQueue(t, redis)
  const old = { name: 'send', data: 'j' + JSON.stringify(small(9)), prio: '0', att: '2', bo: '', to: '0', roc: '0:-1', rof: '-1:-1', ts: '1700000000000', st: 'waiting', sc: '1' }
  await redis.hset(q.keys.job('old'), old)
  await redis.zadd(q.keys.waiting, 1, 'old')
  const { id } = await q.add('send', small(10))
  t.match(await q.getJob('old'), { state: 'waiting', attempts: 2, data: small(9) })
  t.strictSame((await q.getJobsPage('waiting')).jobs.map(j => j.id), [id, 'old'], 'paged with the new jobs')
  const seen: string[] = []
  q.process(job => { seen.push(job.id) })
  await eventually(() => seen.length === 2, { what: 'both jobs ran' })
  await eventually(async () => (await q.counts()).active === 0, { what: 'both completed' })
  t.equal(await redis.exists(q.keys.job('old')), 0, 'its stored removeOnComplete: true is applied')
  t.equal((await q.counts()).completed, 1, 'the new job is kept (default retention)')
})

test('issue 22: getJobsPage walks the waiting list, then the sorted set, and a taken cursor skips nothing', async t => {
  const redis = (await startRedis(t)).client()
  const q = makeQueue<number>(t, redis)
  for (let i = 0; i < 7; i++) await q.add('n', i)
  await q.add('p', 100, { priority: 1 })
  await q.add('p', 101, { priority: 2 })
  const first = await q.getJobsPage('waiting', { limit: 3 })
  t.strictSame(first.jobs.map(j => j.data), [0, 1, 2])
  // A worker takes the first four meanwhile (as the take script pops them): the cursor job (2) is
  // gone, nothing after it is lost.
  await redis.lpop(q.keys.waitList, 4)
  const second = await q.getJobsPage('waiting', { cursor: first.next, limit: 3 })
  t.strictSame(second.jobs.map(j => j.data), [4, 5, 6], 'resumed at the head of what is left')
  const third = await q.getJobsPage('waiting', { cursor: second.next, limit: 3 })
  t.strictSame(third.jobs.map(j => j.data), [100, 101], 'then the prioritized jobs')
  t.equal(third.next, null)
  const all = await q.getJobs('waiting', { offset: 2, limit: 10 })
  t.strictSame(all.map(j => j.data), [6, 100, 101], 'getJobs offsets across both')
})

test('issue 22: every transient key of a queue carries a TTL; the rest is the fixed layout and the kept jobs', async t => {
  const redis = (await startRedis(t)).client()
  const q = makeQueue<number>(t, redis, { maxEvents: 50, defaultJobOptions: { removeOnComplete: 2, removeOnFail: 1 } })
  for (let i = 0; i < 10; i++) await q.add('n', i, i % 3 === 0 ? { jobId: `custom-${i}` } : {})
  await q.add('later', 1, { delay: 60_000 })
  let ran = 0
  q.process(job => {
    ran++
    if (job.data % 2 === 1) throw new Error('odd')
  }, { limiter: { max: 100, duration: 60_000 } })
  await eventually(async () => ran === 10 && (await q.counts()).active === 0, { what: 'all due jobs ran' })
  await q.close()

  const permanent = new Set(['id', 'waiting', 'wait', 'delayed', 'active', 'completed', 'failed', 'marker', 'events', 'meta'])
  const transient = /^(uniq:.+|tput:\d+|limiter)$/
  const jobs = new Set([...await redis.zrange(q.keys.completed, '0', '-1'), ...await redis.zrange(q.keys.failed, '0', '-1'), ...await redis.zrange(q.keys.delayed, '0', '-1')])
  const keys = await redis.keys(q.keys.prefix.replace(/[{}]/g, c => '\\' + c) + '*')
  const seen = new Set<string>()
  for (const k of keys) {
    const part = k.slice(q.keys.prefix.length)
    const ttl = await redis.pttl(k)
    if (transient.test(part)) {
      seen.add(part.replace(/:.*/, ''))
      t.ok(ttl > 0, `${part} expires (pttl ${ttl})`)
    } else if (part.startsWith('job:')) {
      t.ok(jobs.has(part.slice(4)), `${part} is a kept (completed, failed or delayed) job`)
    } else {
      t.ok(permanent.has(part), `${part} is part of the queue's fixed layout`)
    }
  }
  t.strictSame([...seen].sort(), ['limiter', 'tput', 'uniq'], 'the workload made every kind of transient key')
  t.equal(jobs.size, 4, 'retention kept 2 completed, 1 failed and the delayed job')
  t.ok(await redis.xlen(q.keys.events) <= 150, 'the event stream stays capped near maxEvents')
})

test('issue 22: attemptHistory bounds the failed attempts a job keeps; 0 keeps none but the last error', async t => {
  const redis = (await startRedis(t)).client()
  for (const [keep, expected] of [[undefined, 3], [2, 2], [0, 0]] as const) {
    const q = makeQueue(t, redis, keep === undefined ? {} : { attemptHistory: keep })
    const { id } = await q.add('x', 1, { attempts: 3 })
    q.process(() => { throw new Error('boom') })
    await eventually(async () => (await q.counts()).failed === 1, { what: 'the job failed for good' })
    const job = await q.getJob(id)
    t.equal(job?.history.length, expected, `attemptHistory ${String(keep)}: ${expected} attempts kept`)
    t.equal(job?.failedReason, 'boom', 'the last error is kept')
    if (expected === 0) t.equal(await redis.hexists(q.keys.job(id), 'hist'), 0, 'no history field at all')
    await q.close()
  }
  t.throws(() => makeQueue(t, redis, { attemptHistory: -1 }), { code: 'FRP_INVALID_OPTION', message: /attemptHistory/ })
})

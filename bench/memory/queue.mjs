// Redis bytes per job, ours vs BullMQ 6.7 (default options on both sides) on the same server:
// small waiting jobs (an e-mail address, a template name, a number), and the same jobs once a
// no-op worker completed them, with each side's default retention (ours keeps the last 1,000
// completed jobs, BullMQ keeps all) and with both keeping every completed job (per job kept).
// `node bench/memory/queue.mjs [redis://host:port] [n]` prints a markdown table (without a URL it
// starts a redis-server of its own; it FLUSHALLs the server it is given).
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq'
import { Queue } from '../../dist/index.js'
import { breakdown, client, delta, runProbe } from './measure.mjs'

const payload = i => ({ to: `user${i}@example.com`, template: 'welcome', n: i })
const jobs = (from, count) => Array.from({ length: count }, (_, j) => ({ name: 'send', data: payload(from + j) }))

async function addAll (addBulk, n) {
  for (let i = 0; i < n; i += 1000) await addBulk(jobs(i, Math.min(1000, n - i)))
}

function untilCompleted (emitter, n) {
  let done = 0
  return new Promise(resolve => emitter.on('completed', () => { if (++done === n) resolve() }))
}

/** Our side: fill(n, { process, keepAll }) adds n jobs (and completes them). */
function ours (redisUrl) {
  return async (n, { process = false, keepAll = false } = {}) => {
    const redis = client(redisUrl)
    const queue = new Queue(redis, 'email', keepAll ? { defaultJobOptions: { removeOnComplete: false } } : {})
    await addAll(j => queue.addBulk(j), n)
    if (process) {
      const w = queue.process(async () => {}, { concurrency: 50 })
      await untilCompleted(w, n)
    }
    await queue.close()
    redis.disconnect()
  }
}

function anchor (redisUrl) {
  const u = new URL(redisUrl)
  const connection = { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null }
  return async (n, { process = false, keepAll = false } = {}) => {
    const queue = new BullQueue('email', { connection, ...(keepAll ? { defaultJobOptions: { removeOnComplete: false } } : {}) })
    await addAll(j => queue.addBulk(j), n)
    if (process) {
      const w = new BullWorker('email', async () => {}, { connection, concurrency: 50 })
      await untilCompleted(w, n)
      await w.close()
    }
    await queue.close()
  }
}

async function perJob (redisUrl, n, opts) {
  const redis = client(redisUrl)
  try {
    const o = ours(redisUrl)
    const a = anchor(redisUrl)
    return {
      ours: await delta(redis, () => o(n, opts), () => o(1, opts)) / n,
      anchor: await delta(redis, () => a(n, opts), () => a(1, opts)) / n
    }
  } finally {
    redis.disconnect()
  }
}

/** Bytes per waiting job: { ours, anchor }. */
export const waitingJobs = (redisUrl, n) => perJob(redisUrl, n, {})
/** Bytes per processed job once completed, default retention on both sides: { ours, anchor }. */
export const completedJobs = (redisUrl, n) => perJob(redisUrl, n, { process: true })
/** Bytes per completed job kept, both sides keeping all (removeOnComplete: false): { ours, anchor }. */
export const keptCompletedJobs = (redisUrl, n) => perJob(redisUrl, n, { process: true, keepAll: true })

/** Where the bytes of n waiting jobs go, per key class: { ours: {class: {keys, bytes}}, anchor }. */
export async function waitingBreakdown (redisUrl, n) {
  const redis = client(redisUrl)
  try {
    await redis.flushall()
    await ours(redisUrl)(n)
    await anchor(redisUrl)(n)
    return {
      ours: await breakdown(redis, 'frp:*', k => k.replace(/^frp:queue:\{email\}:/, '').replace(/:\d+$/, ':<id>').replace(/^tput:.*/, 'tput:<minute>')),
      anchor: await breakdown(redis, 'bull:*', k => k.replace(/^bull:email:/, '').replace(/^\d+/, '<id>'))
    }
  } finally {
    redis.disconnect()
  }
}

/** Every row of the table: [label, ours, anchor] in bytes per job. */
export default async function queueMemory (redisUrl, n) {
  const w = await waitingJobs(redisUrl, n)
  const c = await completedJobs(redisUrl, n)
  const k = await keptCompletedJobs(redisUrl, n)
  return [
    [`${n} waiting jobs`, w.ours, w.anchor],
    [`${n} completed jobs, default retention (ours: last 1,000; BullMQ: all), per job processed`, c.ours, c.anchor],
    [`${n} completed jobs, all kept (removeOnComplete: false), per job`, k.ours, k.anchor]
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) await runProbe('jobs (BullMQ 6.7 anchor)', queueMemory, waitingBreakdown)

// Jobs at scale: N waiting jobs with a small payload (an e-mail address, a template name, a
// number), ours vs BullMQ 6.7, default options on both sides (ours on the client settings its docs
// give a queue: auto-pipelining off, the queue batches its own calls). Hot ops: add (CONCURRENCY callers),
// and fetch + complete: one worker at concurrency 1 running a no-op handler, timed as the gap
// between consecutive handler starts (the previous job's completion and the next job's fetch,
// which both libraries do in one script call). Completed jobs: both keeping every completed job,
// measured for COMPLETED jobs only (processing 1M jobs would take most of the run).
import { Redis } from 'ioredis'
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq'
import { Queue } from '../../../dist/index.js'
import { clientOptions, TIMEOUT } from '../client.js'
import { pooled } from '../fill.js'

const CHUNK = 1000
const FETCH_JOBS = Number(process.env.BENCH_SCALE_FETCH_JOBS ?? 3000)
/** Completed jobs measured (per job kept; the figure does not depend on the count). */
const COMPLETED = Number(process.env.BENCH_SCALE_COMPLETED ?? 20_000)
const payload = i => ({ to: `user${i}@example.com`, template: 'welcome', n: i })
const jobs = (from, to) => Array.from({ length: to - from }, (_, j) => ({ name: 'send', data: payload(from + j) }))
const addAll = (from, to, addBulk) => pooled(0, Math.ceil((to - from) / CHUNK), 4, c => addBulk(jobs(from + c * CHUNK, Math.min(to, from + (c + 1) * CHUNK))))

/** p50/p99 of the gaps between `n + 1` consecutive handler starts of a concurrency-1 worker started by `start(handler)`. */
async function startGaps (n, start) {
  const starts = []
  let done
  const finished = new Promise(resolve => { done = resolve })
  const handler = async () => {
    starts.push(performance.now())
    if (starts.length === n + 1) done()
  }
  const worker = start(handler)
  await finished
  await worker.close()
  const gaps = new Float64Array(n)
  for (let i = 0; i < n; i++) gaps[i] = starts[i + 1] - starts[i]
  gaps.sort()
  return { p50: gaps[Math.floor(n * 0.5)], p99: gaps[Math.floor(n * 0.99)] }
}

function processAll (n, start) {
  let left = n
  let done
  const finished = new Promise(resolve => { done = resolve })
  const worker = start(async () => { if (--left === 0) done() })
  return finished.then(() => worker.close())
}

function ours ({ completed = false } = {}) {
  return {
    name: completed ? 'ours, completed jobs (removeOnComplete: false)' : 'ours, waiting jobs',
    how: completed ? 'completed: added, then run by a no-op worker at concurrency 50' : 'ours through Queue.addBulk, 1,000 jobs a call, 4 calls in flight',
    perEntity: /:j:|:job:|:\d+$/,
    sizes: completed ? [COMPLETED] : undefined,
    entityPerKey: true,
    async open (redisUrl) {
      const redis = new Redis(redisUrl, clientOptions({ enableAutoPipelining: false }))
      const queue = new Queue(redis, 'email', { commandTimeout: TIMEOUT, ...(completed ? { defaultJobOptions: { removeOnComplete: false } } : {}) })
      let seq = 1e9
      return {
        async fill (from, to) {
          await addAll(from, to, j => queue.addBulk(j))
          if (completed) await processAll(to - from, h => queue.process(h, { concurrency: 50 }))
        },
        ops: completed ? {} : { add: () => queue.add('send', payload(seq++)), 'fetch+complete': null },
        measure: { 'fetch+complete': n => startGaps(Math.min(n, FETCH_JOBS), h => queue.process(h, { concurrency: 1 })) },
        async close () { await queue.close(); redis.disconnect() }
      }
    }
  }
}

function bull ({ completed = false } = {}) {
  return {
    name: completed ? 'BullMQ 6.7, completed jobs (default: keep all)' : 'BullMQ 6.7, waiting jobs',
    anchor: true,
    how: 'BullMQ through Queue.addBulk, 1,000 jobs a call, 4 calls in flight',
    perEntity: /^bull:email:\d+$/,
    sizes: completed ? [COMPLETED] : undefined,
    entityPerKey: true,
    async open (redisUrl) {
      const u = new URL(redisUrl)
      const connection = { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null }
      const queue = new BullQueue('email', { connection })
      let seq = 1e9
      const start = (h, concurrency) => new BullWorker('email', h, { connection, concurrency })
      return {
        async fill (from, to) {
          await addAll(from, to, j => queue.addBulk(j))
          if (completed) await processAll(to - from, h => start(h, 50))
        },
        ops: completed ? {} : { add: () => queue.add('send', payload(seq++)), 'fetch+complete': null },
        measure: { 'fetch+complete': n => startGaps(Math.min(n, FETCH_JOBS), h => start(h, 1)) },
        close: () => queue.close()
      }
    }
  }
}

export const title = 'Jobs (small payload: an e-mail address, a template name, a number)'
export const notes = `fetch+complete: ${FETCH_JOBS.toLocaleString('en-US')} jobs per round, concurrency 1 (one job in flight), not CONCURRENCY. Completed jobs: ${COMPLETED.toLocaleString('en-US')} added and completed, both sides keeping every completed job (BullMQ's default; ours keeps the last 1,000 by default), bytes per job kept.`
export const contenders = [bull(), ours(), bull({ completed: true }), ours({ completed: true })]

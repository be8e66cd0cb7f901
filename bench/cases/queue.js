// Case "queue": the bullmq-bench scenarios, BullMQ 6.7 and our Queue on the same Redis in the same
// run: serial add, bulk add, and processing no-op jobs at concurrency 1 and 100.
// BullMQ runs with its defaults; ours with recommendedRedisOptions() minus auto-pipelining: the queue
// batches its own calls, and auto-pipelining delays every serial command by a tick (measured here:
// serial adds 2-4x slower with it on a busy machine), see docs/queue.md.
import { Redis } from 'ioredis'
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq'
import { Queue, recommendedRedisOptions } from '../../dist/index.js'
import { compare, opsPerSec, table, DURATION } from '../lib/harness.js'
import { addMany, processRate } from '../lib/queue-run.js'

const BULK = 1000
let seq = 0

function conn (redisUrl) {
  const u = new URL(redisUrl)
  return { host: u.hostname, port: Number(u.port) }
}

async function flush (redisUrl) {
  const r = new Redis(redisUrl)
  await r.flushall()
  r.disconnect()
}

/** Contender factories: each returns { add, addBulk, process(concurrency, n) -> jobs/s, close }. */
function bull (redisUrl) {
  const connection = { ...conn(redisUrl), maxRetriesPerRequest: null }
  const name = `bull${++seq}`
  const queue = new BullQueue(name, { connection })
  return {
    add: i => queue.add('job', { i }),
    addBulk: () => queue.addBulk(Array.from({ length: BULK }, (_, i) => ({ name: 'job', data: { i } }))),
    async process (concurrency, n) {
      await addMany(j => queue.addBulk(j), n)
      let done = 0
      let resolve
      const finished = new Promise(_resolve => { resolve = _resolve })
      const started = performance.now()
      const worker = new BullWorker(name, async () => {}, { connection, concurrency })
      worker.on('completed', () => { if (++done === n) resolve() })
      await finished
      const rate = n / ((performance.now() - started) / 1000)
      await worker.close()
      return rate
    },
    close: () => queue.close()
  }
}

function ours (redisUrl) {
  const client = new Redis(redisUrl, recommendedRedisOptions({ enableAutoPipelining: false }))
  const queue = new Queue(client, `ours${++seq}`)
  return {
    add: i => queue.add('job', { i }),
    addBulk: () => queue.addBulk(Array.from({ length: BULK }, (_, i) => ({ name: 'job', data: { i } }))),
    process: (concurrency, n) => processRate(queue, concurrency, n),
    close: async () => { await queue.close(); client.disconnect() }
  }
}

const contenders = { 'BullMQ 6.7': bull, 'fastify-redis-patterns': ours }

async function scenario (redisUrl, title, run) {
  const entries = Object.entries(contenders).map(([name, make]) => ({
    name,
    run: async () => {
      await flush(redisUrl)
      const c = make(redisUrl)
      try { return { value: await run(c) } } finally { await c.close() }
    }
  }))
  return await compare(title, 'jobs/s', entries)
}

export default async function queueBench ({ redisUrl }) {
  const tables = []
  const serial = await scenario(redisUrl, 'add, serial', async c => (await opsPerSec(i => c.add(i), { concurrency: 1 })).value)
  tables.push(table(serial, 'BullMQ 6.7'))
  const bulk = await scenario(redisUrl, `addBulk (${BULK} jobs a call)`, async c => (await opsPerSec(() => c.addBulk(), { concurrency: 1 })).value * BULK)
  tables.push(table(bulk, 'BullMQ 6.7'))
  // Job counts sized so each run lasts a few seconds on this machine.
  const n1 = Math.max(2000, Math.round(DURATION * 1500))
  const p1 = await scenario(redisUrl, `process no-op, concurrency 1 (${n1} jobs)`, c => c.process(1, n1))
  tables.push(table(p1, 'BullMQ 6.7'))
  const n100 = Math.max(10_000, Math.round(DURATION * 8000))
  const p100 = await scenario(redisUrl, `process no-op, concurrency 100 (${n100} jobs)`, c => c.process(100, n100))
  tables.push(table(p100, 'BullMQ 6.7'))
  return tables
}

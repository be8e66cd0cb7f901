// The dashboard's queue pages on a big queue (issue 21): `node bench/dashboard-page.mjs` (after
// `npm run build && npm run build:app`; no bench/ install needed) fills one queue with BENCH_JOBS
// jobs (default 100,000: 80% waiting, 10% failed, 10% delayed) on a dedicated redis-server, then
// times, in process through app.inject
// (server time only, no socket or load generator), the queue page and a job-list page at
// increasing depths (cursor paging), median and worst of BENCH_SAMPLES runs (default 30) each.
// Target: the queue page under 200 ms, and a page's time flat with depth (no full scan). For reference it also times getJobs with an offset at the same depths (ZRANGE by
// rank is O(log N + page) too; the cursor's point is pages that do not shift while jobs move).
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { Redis } from 'ioredis'
import { startRedisServer } from '../build/lib/dev/redis-server.js'

const fmt = ms => ms.toFixed(1)
import { redisQueue } from '../dist/plugins/queue.js'
import { redisDashboard } from '../dist/plugins/dashboard.js'

const JOBS = Number(process.env.BENCH_JOBS ?? 100_000)
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30)

async function time (fn) {
  const out = []
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = process.hrtime.bigint()
    await fn()
    out.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  out.sort((a, b) => a - b)
  return { median: out[Math.floor(out.length / 2)], worst: out[out.length - 1] }
}

// A private redis-server (never the machine's 6379).
const redis = await startRedisServer({ args: [] })
const client = new Redis(redis.url)
const app = Fastify()
try {
  await app.register(fastifyRedis, { client, closeClient: false })
  await app.register(redisQueue, { queues: ['big'] })
  await app.register(redisDashboard, { public: true, pageSize: 25 })
  await app.ready()
  const q = app.queue('big')
  const started = Date.now()
  for (let i = 0; i < JOBS; i += 5000) {
    const n = Math.min(5000, JOBS - i)
    await q.addBulk(Array.from({ length: n }, (_, j) => {
      const k = i + j
      return { name: 'bench', data: { k, to: `user${k}@example.com` }, opts: k % 10 === 9 ? { delay: 3_600_000 } : { attempts: 1 } }
    }))
  }
  // 10% failed: a worker that fails every job, stopped once enough have failed.
  const failing = Math.floor(JOBS / 10)
  const w = q.process(async () => { throw new Error('bench failure') }, { concurrency: 50 })
  while ((await q.counts()).failed < failing) await new Promise(resolve => setTimeout(resolve, 50))
  await w.close()
  const counts = await q.counts()
  console.log(`filled in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`)

  const rows = ['| request | median ms | worst ms |', '|---|---|---|']
  const page = async url => {
    const res = await app.inject({ url })
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`)
  }
  for (const state of ['waiting', 'failed', 'delayed']) {
    const r = await time(() => page(`/dashboard/queues/big?state=${state}`))
    rows.push(`| queue page, ${state} (counts, chart data, first page) | ${fmt(r.median)} | ${fmt(r.worst)} |`)
  }
  // A page deep in the list: its cursor is the entry just before, as the previous page gives it.
  const key = q.keys.waiting
  for (const depth of [0, 1_000, Math.floor(counts.waiting / 2), counts.waiting - 30]) {
    let cursor = ''
    if (depth > 0) {
      const [id, score] = await client.zrange(key, depth - 1, depth - 1, 'WITHSCORES')
      cursor = `&cursor=${encodeURIComponent(`${score}:${id}`)}`
    }
    const r = await time(() => page(`/dashboard/api/queues/big/jobs?state=waiting&limit=25${cursor}`))
    const o = await time(() => q.getJobs('waiting', { limit: 25, offset: depth }))
    rows.push(`| job list page at depth ${depth} (cursor) | ${fmt(r.median)} | ${fmt(r.worst)} |`)
    rows.push(`| getJobs offset ${depth} (for contrast) | ${fmt(o.median)} | ${fmt(o.worst)} |`)
  }
  const worstQueuePage = rows.slice(2, 5).map(r => Number(r.split('|')[3]))
  console.log(`\n${JOBS} jobs, ${SAMPLES} samples each, in-process (app.inject)\n\n${rows.join('\n')}\n`)
  console.log(Math.max(...worstQueuePage) < 200 ? 'queue page under 200 ms: yes' : 'queue page under 200 ms: NO')
} finally {
  await app.close()
  client.disconnect()
  await redis.stop()
}

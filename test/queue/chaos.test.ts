// Chaos: 5,000 jobs (topped up while the chaos lasts), 3 worker processes, one SIGKILLed at random moments several times, and one
// Redis restart (AOF, fsync always) in the middle. Every job completes; a job runs more than
// once only if an attempt of it lost its lease (the crashed or cut-off attempts).
import tap, { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { Queue } from '../../lib/queue/queue.js'
import { spawnWorker, type ChildWorker } from './child.js'

// Alone it takes ~170 s on this 2-core machine, at the suite's 180 s default per file; beside
// another file (tap runs two at once) it can pass it. Its own bound, with room.
tap.setTimeout(420_000)

const JOBS = 5000
const KILLS = 4

test('chaos: SIGKILLed workers and a Redis restart lose no job', async t => {
  const redis = await startRedis(t, { appendonly: true })
  // Generous bounds: this client only observes, on a machine the chaos keeps busy (fsync always).
  const client = redis.client({ maxRetriesPerRequest: 20, commandTimeout: 10_000 })
  const prefix = 'chaos'
  const queue = new Queue<number>(client, 'jobs', { prefix, commandTimeout: 10_000, defaultJobOptions: { removeOnComplete: false, attempts: 5 } })
  // attempts: 5 — a handler whose own Redis write times out while Redis restarts (fsync always)
  // fails its attempt; like a production job it is retried instead of dead-lettered, and the
  // failed attempt is accounted for below (regression: 2 of 6,000 jobs dead-lettered this way).
  t.teardown(() => queue.close())
  const env = { FRP_PORT: redis.port, FRP_QUEUE: 'jobs', FRP_PREFIX: prefix, FRP_LEASE: 700, FRP_CONCURRENCY: 20, FRP_MODE: 'count', FRP_HOLD_MS: 20, FRP_MAX_STALLS: 1000 }

  let total = 0
  const addJobs = async (n: number): Promise<void> => {
    await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'work', data: total + i })))
    total += n
  }
  // Regression (full suite on a loaded machine): while slow replacement workers booted, the
  // survivors finished all jobs and the last kill waited forever for a job to start. The chaos
  // phase now tops the queue up so a victim always has work.
  const topUp = async (): Promise<void> => {
    if ((await queue.counts()).waiting < 1000) await addJobs(1000)
  }
  await addJobs(JOBS)
  // Replacements boot while the survivors work: the chaos does not pause for a restart.
  const workers: Array<Promise<ChildWorker>> = [0, 1, 2].map(() => spawnWorker(t, env))
  await Promise.all(workers)

  const completed = async (): Promise<number> => (await queue.counts()).completed
  const progressed = async (n: number): Promise<void> => {
    const start = await completed()
    await eventually(async () => (await completed()) >= Math.min(total, start + n), { ms: 60_000, what: `${n} more completions` })
  }

  for (let k = 0; k < KILLS; k++) {
    await progressed(300 + Math.floor(Math.random() * 400))
    const victim = Math.floor(Math.random() * workers.length)
    const w = await workers[victim]
    await topUp()
    // Kill it while it holds jobs: right after it reports starting one. The queue is topped up
    // while we wait. Regression (a loaded CI run): a victim still backing off after the Redis
    // restart found the queue empty when it came back (the survivors had taken the 1,000 jobs of
    // the one top-up) and the wait timed out with no job left to start.
    const seen = w.lines.length
    let toppedUp = Date.now()
    await eventually(async () => {
      if (w.lines.slice(seen).some(l => l.started !== undefined)) return true
      if (Date.now() - toppedUp > 500) { toppedUp = Date.now(); await topUp() }
      return false
    }, { ms: 60_000, every: 1, what: `worker ${victim} (kill ${k + 1}) to start a job` })
    await w.kill('SIGKILL')
    workers[victim] = spawnWorker(t, env)
    if (k === 1) {
      await progressed(200)
      await redis.restart()
    }
  }

  await eventually(async () => {
    const c = await queue.counts()
    // A failed job can never complete: stop waiting and say why it failed.
    if (c.failed > 0) {
      const reasons = (await queue.getJobs('failed')).map(j => `${j.id}: ${j.failedReason ?? '?'}`)
      throw new Error(`${c.failed} jobs failed: ${reasons.join('; ')}`)
    }
    return c.completed === total
  }, { ms: 120_000, every: 100, what: `all ${total} jobs completed` })
  const counts = await queue.counts()
  t.strictSame(counts, { waiting: 0, delayed: 0, active: 0, completed: total, failed: 0, paused: false }, `every job (${total}) completed, none lost`)

  // Runs per job = attempts recorded by the handler (one field per job id + owner token).
  const runs: Record<string, number> = {}
  for (const field of Object.keys(await client.hgetall(`${prefix}:runs:{jobs}`))) {
    const id = field.split(':')[0]
    runs[id] = (runs[id] ?? 0) + 1
  }
  let extra = 0
  let unexplained = 0
  let stalled = 0
  for (let id = 1; id <= total; id++) {
    const r = Number(runs[String(id)] ?? 0)
    const [stl, made] = await client.hmget(`${prefix}:queue:{jobs}:job:${id}`, 'stl', 'made')
    const stalls = Number(stl ?? 0)
    const failedAttempts = Math.max(0, Number(made ?? 1) - 1)
    if (stalls > 0) stalled++
    if (r > 1) {
      extra += r - 1
      // A rerun must be explained by a lost lease or a failed (and retried) attempt recorded on the job.
      if (stalls + failedAttempts < r - 1) unexplained++
    }
  }
  t.ok(stalled > 0, `the kills hit workers holding jobs (${stalled} jobs lost a lease)`)
  t.equal(Object.keys(runs).length, total, 'every job ran')
  t.equal(unexplained, 0, 'every duplicate run belongs to an attempt that lost its lease or failed')
  t.ok(extra <= (KILLS + 1) * 3 * 20, `duplicates bounded by the crashed attempts (${extra})`)
  for (const w of workers) await (await w).kill('SIGKILL')
})

// The queue drill of issue 19, on a real Sentinel deployment (a master, two replicas, three
// Sentinels): 5,000 jobs added with `durability` while a failover happens (SENTINEL FAILOVER with
// replicas: 2, then a master SIGKILL with replicas: 1, see each test), two workers processing.
// Every job whose add resolved completes (none lost); adds that rejected are counted (their job
// may or may not exist: the caller was told so); no job runs in two workers for longer than the
// lease. The figures are printed with t.comment (copied into docs/failover.md).
import tap, { test, type Test } from 'tap'
import { startSentinel } from '../helpers/replicated.js'
import { eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'

tap.setTimeout(600_000)

const JOBS = 5000
const PRODUCERS = 20
const LEASE = 2000

interface Run { worker: string, start: number, end: number }

async function drill (t: Test, fault: 'failover' | 'killMaster', replicas: number): Promise<void> {
  const durability = { replicas, timeout: 1000 }
  const sentinel = await startSentinel(t)
  const redis = sentinel.client()
  const queue = makeQueue<{ n: number }>(t, redis, {
    commandTimeout: 2000,
    durability,
    defaultJobOptions: { removeOnComplete: false }
  }, `drill-${fault}`)

  const runs = new Map<string, Run[]>()
  for (const name of ['w1', 'w2']) {
    const w = queue.process(async job => {
      const run: Run = { worker: name, start: performance.now(), end: Infinity }
      const list = runs.get(job.id) ?? []
      list.push(run)
      runs.set(job.id, list)
      await new Promise(resolve => setTimeout(resolve, job.data.n % 7))
      run.end = performance.now()
    }, { concurrency: 8, lease: LEASE })
    w.on('error', () => {}) // a worker reports each failed take while the master changes
  }

  // Producers: each adds its share in turn; every outcome is recorded with its time.
  const resolved: string[] = []
  const okTimes: number[] = []
  const rejected: Record<string, number> = {}
  let next = 0
  let settled = 0
  let faultAt = 0
  let faultDone: Promise<{ from: number, to: number }> | null = null
  const start = performance.now()
  await Promise.all(Array.from({ length: PRODUCERS }, async () => {
    while (next < JOBS) {
      const n = next++
      try {
        const { id } = await queue.add('job', { n })
        resolved.push(id)
        okTimes.push(performance.now())
      } catch (err) {
        const code = String((err as { code?: string }).code ?? (err as Error).message)
        rejected[code] = (rejected[code] ?? 0) + 1
      }
      if (++settled === 1500) {
        faultAt = performance.now()
        faultDone = sentinel[fault]()
      }
    }
  }))
  const addsTook = performance.now() - start
  const { from, to } = await faultDone!
  t.not(from, to, `${fault}: a replica was promoted`)
  t.equal(resolved.length + Object.values(rejected).reduce((a, b) => a + b, 0), JOBS, 'every add settled')

  // None lost: every job whose add resolved completes on the promoted master.
  const completedIds = async (): Promise<Set<string>> => new Set(await redis.zrange(queue.keys.completed, '0', '-1').catch(() => [] as string[]))
  await eventually(async () => {
    const ids = await completedIds()
    return resolved.every(id => ids.has(id))
  }, { ms: 120_000, every: 250, what: 'every acknowledged job completed' }).catch(() => null)
  const completed = await completedIds()
  const missing = resolved.filter(id => !completed.has(id))
  // What became of the missing jobs: gone (lost with the old master), or stuck in some state.
  const states: Record<string, number> = {}
  for (const id of missing) {
    const st = await redis.hget(queue.keys.job(id), 'st') ?? 'gone'
    states[st] = (states[st] ?? 0) + 1
  }
  t.equal(missing.length, 0, `every one of the ${resolved.length} acknowledged jobs completed${missing.length > 0 ? ` (missing ${missing.length}, by state ${JSON.stringify(states)}, e.g. ${missing.slice(0, 5).join(' ')}; counts ${JSON.stringify(await queue.counts())})` : ''}`)

  // No job active in two workers beyond the lease.
  let twice = 0
  let maxOverlap = 0
  for (const list of runs.values()) {
    if (list.length > 1) twice++
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]
        const b = list[j]
        if (a.worker === b.worker) continue
        maxOverlap = Math.max(maxOverlap, Math.min(a.end, b.end) - Math.max(a.start, b.start))
      }
    }
  }
  t.ok(maxOverlap <= LEASE, `no job ran in two workers at once for longer than the lease (${LEASE} ms): longest overlap ${Math.max(0, maxOverlap).toFixed(0)} ms`)

  // The longest gap between two successful adds from the fault on: how long adds failed.
  let outage = 0
  for (let i = 1; i < okTimes.length; i++) if (okTimes[i] > faultAt) outage = Math.max(outage, okTimes[i] - Math.max(okTimes[i - 1], faultAt))
  t.comment(`${fault}, durability ${JSON.stringify(durability)}: ${JOBS} adds in ${(addsTook / 1000).toFixed(1)} s, ${resolved.length} acknowledged, rejected ${JSON.stringify(rejected)}; ` +
    `longest gap between acknowledged adds after the fault ${outage.toFixed(0)} ms; acknowledged jobs completed ${resolved.length - missing.length}/${resolved.length}; ` +
    `jobs run more than once ${twice}; longest overlap of two runs ${Math.max(0, maxOverlap).toFixed(0)} ms`)
}

// A forced SENTINEL FAILOVER promotes a replica chosen from offsets Sentinel read up to 10 s
// earlier, and the promoted replica drops whatever of the master's stream it had not applied: a
// write confirmed by the other replica only is then lost (this drill lost 2,444 of 5,000 with
// replicas: 1, the promoted replica lagging). Confirmation by every replica (2 of 2) survives it.
test('queue drill: 5,000 adds confirmed by both replicas through a SENTINEL FAILOVER, none acknowledged lost', async t => {
  await drill(t, 'failover', 2)
})

// A dead master's replicas stop where they are, and Sentinel, refreshing their offsets every
// second once the master is down, promotes the most advanced one: one confirmation is enough.
test('queue drill: 5,000 adds confirmed by one replica through a master SIGKILL, none acknowledged lost', async t => {
  await drill(t, 'killMaster', 1)
})

// Queue workload: two Queue objects on one queue (two app processes), a producer adding jobs and
// a worker of concurrency 4 in each process. Invariants: every job whose add resolved ran to the
// end at least once by the end of the drain (with the durability option: its add was confirmed by
// a replica; without it the losses are counted), and no job ran in two workers at once for longer
// than the lease.
import { Queue, type QueueOptions } from '../../lib/queue/index.js'
import { withDurability } from '../durability.js'
import { Tracker } from '../tracker.js'
import { hold, until, type Load, type Verdict, type Workload, type WorkloadContext } from '../workload.js'

const LEASE = 2000

interface Run {
  readonly worker: number
  readonly start: number
  /** When the handler returned or its signal aborted (Infinity while it runs). */
  end: number
}

export async function queueWorkload (ctx: WorkloadContext): Promise<Workload> {
  const made = [0, 1].map(i => withDurability(ctx.durability, extra => new Queue<{ n: number }>(ctx.client(`chaos-queue-${i}`), 'jobs', { prefix: ctx.prefix, ...extra } as QueueOptions)))
  const queues = made.map(m => m.core)
  const durable = made.every(m => m.durable)
  const tracker = new Tracker('queue')
  const { rng } = ctx
  const added = new Set<string>()
  const ran = new Set<string>()
  const runs = new Map<string, Run[]>()
  let seq = 0
  let lostLeases = 0
  /** Longest time two runs of one job overlapped, and how many such overlaps. */
  let longestOverlap = 0
  let overlaps = 0

  const workers = queues.map((q, w) => {
    const worker = q.process(async (job, signal) => {
      const run: Run = { worker: w, start: performance.now(), end: Infinity }
      const list = runs.get(job.id) ?? []
      runs.set(job.id, list)
      list.push(run)
      const onAbort = (): void => { run.end = Math.min(run.end, performance.now()) }
      signal.addEventListener('abort', onAbort, { once: true })
      try {
        await hold(rng.int(2, 20), signal)
        if (signal.aborted) throw signal.reason
        ran.add(job.id)
        return true
      } finally {
        run.end = Math.min(run.end, performance.now())
        signal.removeEventListener('abort', onAbort)
        for (const other of list) {
          if (other === run) continue
          const overlap = Math.min(other.end, run.end) - Math.max(other.start, run.start)
          if (overlap > 0 && other.start < run.start) {
            overlaps++
            longestOverlap = Math.max(longestOverlap, overlap)
          }
        }
      }
    }, { concurrency: 4, lease: LEASE, maxStalls: 10 })
    worker.on('completed', () => tracker.ok())
    worker.on('error', err => tracker.background(err))
    worker.on('lost', () => { lostLeases++ })
    return worker
  })

  const add = async (): Promise<void> => {
    const q = rng.pick(queues)
    await tracker.attempt(async () => {
      const res = await q.add('work', { n: ++seq }, { attempts: 20, backoff: 100 })
      added.add(res.id)
    })
  }

  const missing = (): string[] => [...added].filter(id => !ran.has(id))

  return {
    tracker,
    durable,
    keys: [queues[0].keys.waiting, queues[0].keys.waitList],
    start (load: Load) {
      load.lane(8, add)
    },
    async settle (deadline) {
      await until(deadline, () => missing().length === 0, 200)
    },
    async check (): Promise<Verdict[]> {
      const lost = missing()
      const states = lost.length === 0 ? '' : ` (now: ${(await Promise.all(lost.slice(0, 3).map(async id => `${id} ${(await queues[0].getJob(id))?.state ?? 'gone'}`))).join(', ')})`
      const figures = `${added.size} jobs added, ${lost.length} never ran${states}`
      return [
        {
          invariant: 'added jobs run at least once',
          status: !durable ? 'n/a' : lost.length === 0 ? 'held' : 'broken',
          detail: durable ? figures : `without durability (not in this version of the package): ${figures}`
        },
        {
          invariant: `no job in two workers beyond the lease (${LEASE} ms)`,
          status: longestOverlap <= LEASE ? 'held' : 'broken',
          detail: `${overlaps} overlapping runs, longest ${Math.round(longestOverlap)} ms; ${lostLeases} leases lost`
        }
      ]
    },
    async close () {
      await Promise.all(workers.map(w => w.close()))
      await Promise.all(queues.map(q => q.close()))
    }
  }
}

// Lock workload: two Lockers (two app processes), four lanes taking 4 resources with `using`,
// holding each for a few ms. Invariants: no two holders of a resource at once, unless the earlier
// one is told it lost the lock (FRP_LOCK_LOST: a failover can lose a lock key, the library must
// then say so); fencing tokens strictly increase per resource across the whole run.
import { Locker, type Lease } from '../../lib/lock/index.js'
import { Tracker, codeOf } from '../tracker.js'
import { hold, type Load, type Verdict, type Workload, type WorkloadContext } from '../workload.js'

const RESOURCES = ['account:1', 'account:2', 'account:3', 'account:4']

interface Holding {
  readonly lease: Lease
  /** Another holder took the resource while this one still held it. */
  overlapped: boolean
}

export async function lockWorkload (ctx: WorkloadContext): Promise<Workload> {
  const lockers = [0, 1].map(i => new Locker(ctx.client(`chaos-lock-${i}`), { prefix: ctx.prefix, ttl: '2s', waitTimeout: '3s' }))
  const tracker = new Tracker('lock')
  const { rng } = ctx
  /** The holders of each resource right now (shared by both Lockers: the soak is one process). */
  const holders = new Map<string, Set<Holding>>(RESOURCES.map(r => [r, new Set()]))
  const highest = new Map<string, number>()
  const fenceBreaks: string[] = []
  let leases = 0
  let silent = 0
  let reported = 0
  let contended = 0

  const op = async (i: number): Promise<void> => {
    const resource = rng.pick(RESOURCES)
    const ms = rng.int(2, 30)
    let mine: Holding | null = null
    try {
      await lockers[i].using(resource, async (signal, lease) => {
        leases++
        const top = highest.get(resource) ?? 0
        if (lease.fencingToken <= top) fenceBreaks.push(`${resource}: ${lease.fencingToken} after ${top}`)
        highest.set(resource, Math.max(top, lease.fencingToken))
        const set = holders.get(resource) as Set<Holding>
        for (const h of set) if (h.lease.held && !h.lease.signal.aborted) h.overlapped = true
        const me: Holding = mine = { lease, overlapped: false }
        set.add(me)
        try {
          await hold(ms, signal)
        } finally {
          // Out of the set when the work ends, before the release: the next holder may be told
          // it has the lock before this process hears that the release went through.
          set.delete(me)
        }
      })
      tracker.ok()
      if ((mine as Holding | null)?.overlapped === true) silent++
    } catch (err) {
      const code = codeOf(err)
      if (code === 'FRP_LOCK_NOT_ACQUIRED') tracker.neutral()
      else tracker.fail(err)
      if (code === 'FRP_LOCK_NOT_ACQUIRED') contended++
      if ((mine as Holding | null)?.overlapped === true) {
        if (code === 'FRP_LOCK_LOST') reported++
        else silent++
      }
    }
  }

  return {
    tracker,
    keys: RESOURCES.map(r => lockers[0].redisKey(r)),
    start (load: Load) {
      for (const i of [0, 1, 0, 1]) load.lane(3, () => op(i))
    },
    async check (): Promise<Verdict[]> {
      return [
        {
          invariant: 'one holder at a time',
          status: silent === 0 ? 'held' : 'broken',
          detail: `${leases} leases; ${silent} held twice silently, ${reported} overlaps reported FRP_LOCK_LOST to the earlier holder; ${contended} waits timed out`
        },
        {
          invariant: 'fencing tokens increase',
          status: fenceBreaks.length === 0 ? 'held' : 'broken',
          detail: fenceBreaks.length === 0
            ? `${leases} tokens, strictly increasing per resource`
            : `${fenceBreaks.length} tokens not above an earlier one (${fenceBreaks.slice(0, 3).join(', ')})`
        }
      ]
    },
    async close () {
      await Promise.all(lockers.map(l => l.close()))
    }
  }
}

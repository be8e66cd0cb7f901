// Rate-limit workload: two RateLimiters (two app processes) hammer 4 keys well above a sliding
// window of 20 per second. Invariant: in any 1 s, a key is admitted at most limit + one window's
// worth (2 × 20) times: the bound docs/failover.md states for a failover, which may lose the
// key's count once.
import { RateLimiter } from '../../lib/rate-limit/index.js'
import { Tracker } from '../tracker.js'
import type { Load, Verdict, Workload, WorkloadContext } from '../workload.js'

const LIMIT = 20
const WINDOW = 1000
const KEYS = ['user:1', 'user:2', 'user:3', 'user:4']

/** The most timestamps (sorted) within any span shorter than `window`. */
export function maxInWindow (times: readonly number[], window: number): number {
  let best = 0
  let from = 0
  for (let to = 0; to < times.length; to++) {
    while (times[to] - times[from] >= window) from++
    best = Math.max(best, to - from + 1)
  }
  return best
}

export async function rateLimitWorkload (ctx: WorkloadContext): Promise<Workload> {
  const limiters = [0, 1].map(i => new RateLimiter(ctx.client(`chaos-rate-limit-${i}`), { prefix: ctx.prefix }))
  const rule = limiters[0].rule({ limit: LIMIT, window: WINDOW, algorithm: 'sliding-window' })
  const tracker = new Tracker('rate limit')
  const { rng } = ctx
  /** Key → when each admission resolved (monotonic ms). */
  const admitted = new Map<string, number[]>(KEYS.map(k => [k, []]))

  const op = async (i: number): Promise<void> => {
    const key = rng.pick(KEYS)
    await tracker.attempt(async () => {
      const r = await limiters[i].hit(key, rule)
      if (r.allowed) admitted.get(key)?.push(performance.now())
    })
  }

  return {
    tracker,
    keys: KEYS.map(k => limiters[0].keyOf(k, 'sliding-window')),
    start (load: Load) {
      for (const i of [0, 1, 0, 1]) load.lane(4, () => op(i))
    },
    async check (): Promise<Verdict[]> {
      let max = 0
      let total = 0
      for (const times of admitted.values()) {
        max = Math.max(max, maxInWindow(times, WINDOW))
        total += times.length
      }
      const bound = 2 * LIMIT
      return [{
        invariant: `≤ limit + one window per ${WINDOW / 1000} s`,
        status: max <= bound ? 'held' : 'broken',
        detail: `most admitted in any ${WINDOW / 1000} s for one key: ${max} (limit ${LIMIT}, bound ${bound}); ${total} admissions`
      }]
    },
    async close () {}
  }
}

// Cache workload: two Cache instances (two app processes) with L1 and the invalidation bus, over
// one "database" (a Map); cache-aside reads, write-through writes and invalidations on 20 keys.
// Invariant: once the faults stopped and both buses resubscribed, no instance serves an L1 value
// older than the last invalidation of its key.
import { Cache, type CacheOptions } from '../../lib/cache/index.js'
import { Tracker } from '../tracker.js'
import { until, type Load, type Verdict, type Workload, type WorkloadContext } from '../workload.js'

interface Item { v: number }

const KEYS = Array.from({ length: 20 }, (_, i) => `item:${i}`)
/** How long a correct bus may take to deliver an invalidation in the final check. */
const DELIVERY_MS = 5000

export async function cacheWorkload (ctx: WorkloadContext): Promise<Workload> {
  // L1 entries live 10 minutes: a missed invalidation cannot hide behind a short L1 TTL.
  const options: CacheOptions = { prefix: ctx.prefix, ttl: '10m', l1: { ttl: '10m' }, earlyRefresh: 0 }
  const instances = [new Cache(ctx.client('chaos-cache-a'), options), new Cache(ctx.client('chaos-cache-b'), options)]
  // What Redis holds, without an L1 of its own.
  const observer = new Cache(ctx.client('chaos-cache-observer'), { ...options, l1: false })
  await Promise.all([...instances, observer].map(c => c.ready))
  const tracker = new Tracker('cache')
  const { rng } = ctx
  /** The origin: key → version. */
  const origin = new Map<string, number>()
  /** Per key, the stamp of the last write-through or invalidation that resolved. */
  const confirmed = new Map<string, number>()
  let stamp = 0
  /** Redis errors each instance reported (get and wrap fail open: they report, never reject). */
  const reported = instances.map(() => 0)
  instances.forEach((c, i) => c.on('error', () => { reported[i]++ }))

  const fetch = (key: string) => (): Item => ({ v: origin.get(key) ?? 0 })
  const op = async (i: number): Promise<void> => {
    const c = instances[i]
    const key = rng.pick(KEYS)
    const before = reported[i]
    const r = rng.next()
    try {
      if (r < 0.15) {
        let v = 0
        await c.writeThrough(key, () => { v = ++stamp; origin.set(key, v); return { v } })
        confirmed.set(key, Math.max(confirmed.get(key) ?? 0, v))
      } else if (r < 0.25) {
        const s = ++stamp
        await c.invalidate(key)
        confirmed.set(key, Math.max(confirmed.get(key) ?? 0, s))
      } else {
        await c.wrap(key, fetch(key))
      }
      if (reported[i] === before) tracker.ok()
      else tracker.fail(Object.assign(new Error('cache read failed open'), { code: 'FAILED_OPEN' }))
    } catch (err) {
      tracker.fail(err)
    }
  }

  /** Instance `c`'s value of `key`, and whether L1 served it. */
  const read = async (c: Cache, key: string): Promise<{ value: Item | undefined, l1: boolean }> => {
    let l1 = false
    const onHit = (k: string, layer: string): void => { if (k === key && layer === 'l1') l1 = true }
    c.on('hit', onHit)
    try {
      return { value: await c.get<Item>(key), l1 }
    } finally {
      c.off('hit', onHit)
    }
  }

  return {
    tracker,
    keys: KEYS.map(k => `${ctx.prefix}:cache:{${k}}`),
    start (load: Load) {
      instances.forEach((_, i) => load.lane(2, () => op(i)))
    },
    async settle (deadline) {
      await until(deadline, () => [...instances, observer].every(c => c.stats().busLive))
    },
    async check (): Promise<Verdict[]> {
      const live = [...instances, observer].every(c => c.stats().busLive)
      // 1. What the faults left behind: an L1 value that differs from Redis's and is older than a
      // confirmed invalidation of its key was invalidated while its bus was away, and kept.
      const stale: string[] = []
      for (const key of KEYS) {
        const truth = (await observer.get<Item>(key))?.v
        for (const [i, c] of instances.entries()) {
          const { value, l1 } = await read(c, key)
          if (l1 && value !== undefined && value.v !== truth && value.v < (confirmed.get(key) ?? 0)) {
            stale.push(`instance ${i} served ${key}=v${value.v} from L1 after invalidation v${confirmed.get(key) ?? 0} (Redis: ${truth === undefined ? 'none' : `v${truth}`})`)
          }
        }
      }
      // 2. The bus works now: a write-through on one instance, then an invalidation on the other,
      // each seen by both (within DELIVERY_MS: pub/sub is asynchronous).
      const [a, b] = instances
      for (const key of KEYS) await a.writeThrough(key, () => { const v = ++stamp; origin.set(key, v); return { v } })
      const sees = async (want: (key: string) => number | undefined): Promise<boolean> => {
        for (const key of KEYS) {
          for (const c of instances) if ((await c.get<Item>(key))?.v !== want(key)) return false
        }
        return true
      }
      const afterWrite = await until(performance.now() + DELIVERY_MS, () => sees(key => origin.get(key)))
      for (const key of KEYS) await b.invalidate(key)
      const afterInvalidate = afterWrite && await until(performance.now() + DELIVERY_MS, () => sees(() => undefined))
      const problems = [...stale]
      if (!live) problems.push('a bus was not live after the faults')
      if (!afterWrite) problems.push(`a write-through was not seen by both instances within ${DELIVERY_MS} ms`)
      if (afterWrite && !afterInvalidate) problems.push(`an invalidation was not seen by both instances within ${DELIVERY_MS} ms`)
      const flushes = instances.reduce((n, c) => n + c.stats().l1Flushes, 0)
      return [{
        invariant: 'L1 never older than the last invalidation',
        status: problems.length === 0 ? 'held' : 'broken',
        detail: problems.length === 0
          ? `${KEYS.length} keys × 2 instances agree with Redis; ${flushes} L1 flushes on bus loss`
          : problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; … ${problems.length} in all` : '')
      }]
    },
    async close () {
      await Promise.all([...instances, observer].map(c => c.close()))
    }
  }
}

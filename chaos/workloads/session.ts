// Session workload: two SessionStores (two app processes); each lane creates sessions, updates a
// counter in them and reads them back. Invariant (with the durability option): every session
// whose last save was confirmed is readable with at least that counter; without the option the
// losses are counted (the documented window of asynchronous replication).
import { newSessionId, SessionStore, type SessionStoreOptions } from '../../lib/session/index.js'
import { withDurability } from '../durability.js'
import { Tracker, codeOf } from '../tracker.js'
import type { Load, Verdict, Workload, WorkloadContext } from '../workload.js'

/** Sessions each lane keeps updating (older ones are left alone, still checked at the end). */
const LIVE = 50

export async function sessionWorkload (ctx: WorkloadContext): Promise<Workload> {
  const made = [0, 1].map(i => withDurability(ctx.durability, extra => new SessionStore(ctx.client(`chaos-session-${i}`), { prefix: ctx.prefix, ttl: '1h', ...extra } as SessionStoreOptions)))
  const stores = made.map(m => m.core)
  const durable = made.every(m => m.durable)
  const codec = stores[0].options.codec
  const tracker = new Tracker('session')
  const { rng } = ctx
  /** Session id → the counter of its last confirmed save. */
  const confirmed = new Map<string, number>()
  /** Session id → when that save was confirmed (ms since the load started). */
  const confirmedAt = new Map<string, number>()
  const confirm = (id: string, n: number): void => {
    confirmed.set(id, n)
    confirmedAt.set(id, performance.now() - tracker.started)
  }
  /** Sessions found gone while the load ran (a save refused: FRP_SESSION_DESTROYED). */
  const gone = new Set<string>()
  const lanes = stores.map(() => [] as string[])
  let lostOnRead = 0

  const op = async (i: number): Promise<void> => {
    const store = stores[i]
    const mine = lanes[i]
    const r = rng.next()
    await tracker.attempt(async () => {
      if (mine.length === 0 || r < 0.1) {
        const id = newSessionId()
        await store.create(id, ['c', codec.encode(0)])
        confirm(id, 0)
        mine.push(id)
        if (mine.length > LIVE) mine.shift()
      } else if (r < 0.6) {
        const id = rng.pick(mine)
        const n = (confirmed.get(id) ?? 0) + 1
        await store.update(id, ['c', codec.encode(n)]).catch(err => {
          if (codeOf(err) === 'FRP_SESSION_DESTROYED') { gone.add(id); mine.splice(mine.indexOf(id), 1) }
          throw err
        })
        confirm(id, n)
      } else {
        const id = rng.pick(mine)
        const s = await store.load(id)
        if (s === null || Number(codec.decode(s.values.get('c') ?? '-1')) < (confirmed.get(id) ?? 0)) lostOnRead++
      }
    })
  }

  return {
    tracker,
    durable,
    get keys () { return lanes.flat().slice(-5).map(id => stores[0].keyOf(id)) },
    start (load: Load) {
      stores.forEach((_, i) => load.lane(3, () => op(i)))
    },
    async check (): Promise<Verdict[]> {
      const lost: string[] = []
      for (const [id, n] of confirmed) {
        const s = await stores[0].load(id)
        const c = s === null ? null : Number(codec.decode(s.values.get('c') ?? '-1'))
        const at = `confirmed at ${((confirmedAt.get(id) ?? 0) / 1000).toFixed(1)} s`
        if (c === null || c < n) lost.push(c === null ? `${id.slice(0, 8)}… gone, ${at}` : `${id.slice(0, 8)}… at ${c} < ${n}, ${at}`)
      }
      const figures = `${confirmed.size} sessions, ${lost.length} lost or behind, ${lostOnRead} stale reads during faults, ${gone.size} found destroyed by a save`
      return [{
        invariant: 'confirmed saves readable',
        status: !durable ? 'n/a' : lost.length === 0 ? 'held' : 'broken',
        detail: durable ? `${figures}${lost.length > 0 ? ` (${lost.slice(0, 3).join(', ')})` : ''}` : `without durability (not in this version of the package): ${figures}`
      }]
    },
    async close () {}
  }
}

// Leaderboard workload: two boards objects (two app processes) on one board, 'best' scores that
// only rise, and reads (score, top). Invariant (with the durability option): every confirmed
// score is still there at the end; without the option the losses are counted.
import { Leaderboard, type LeaderboardOptions } from '../../lib/leaderboard/index.js'
import { withDurability } from '../durability.js'
import { Tracker } from '../tracker.js'
import type { Load, Verdict, Workload, WorkloadContext } from '../workload.js'

const MEMBERS = 40

export async function leaderboardWorkload (ctx: WorkloadContext): Promise<Workload> {
  const made = [0, 1].map(i => withDurability(ctx.durability, extra => new Leaderboard(ctx.client(`chaos-leaderboard-${i}`), 'scores', { prefix: ctx.prefix, update: 'best', ...extra } as LeaderboardOptions)))
  const boards = made.map(m => m.core)
  const durable = made.every(m => m.durable)
  const tracker = new Tracker('leaderboard')
  const { rng } = ctx
  /** Member → its last confirmed (highest) score. Lane i submits for the members i, i + 2, …: no race on a member. */
  const confirmed = new Map<string, number>()
  const next = new Map<string, number>()

  const op = async (i: number): Promise<void> => {
    const board = boards[i]
    const member = `player:${rng.int(0, MEMBERS / 2 - 1) * 2 + i}`
    const r = rng.next()
    await tracker.attempt(async () => {
      if (r < 0.6) {
        const score = (next.get(member) ?? 0) + 1
        next.set(member, score)
        await board.submit(member, score)
        confirmed.set(member, score)
      } else if (r < 0.8) {
        await board.score(member)
      } else {
        await board.top(10)
      }
    })
  }

  return {
    tracker,
    durable,
    keys: [boards[0].key],
    start (load: Load) {
      boards.forEach((_, i) => load.lane(4, () => op(i)))
    },
    async check (): Promise<Verdict[]> {
      const lost: string[] = []
      for (const [member, score] of confirmed) {
        const now = await boards[0].score(member)
        if (now === null || now < score) lost.push(`${member} ${now ?? 'gone'} < ${score}`)
      }
      const figures = `${confirmed.size} members, ${lost.length} confirmed scores lost${lost.length > 0 ? ` (${lost.slice(0, 3).join(', ')})` : ''}`
      return [{
        invariant: 'confirmed scores kept',
        status: !durable ? 'n/a' : lost.length === 0 ? 'held' : 'broken',
        detail: durable ? figures : `without durability (not in this version of the package): ${figures}`
      }]
    },
    async close () {}
  }
}

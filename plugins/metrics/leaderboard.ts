// Leaderboard metrics: submissions by board and whether the score changed, reads by board and
// operation. Boards named in the plugin's `boards` are labelled by name; boards made on the fly
// from a name (up to the plugin's bound) all count under board="_adhoc", so request-chosen names
// cannot add series.
import type { SubmitResult } from '../../lib/leaderboard/types.js'
import { watchCores } from '../shared/cores.js'
import { onFirst, talliedCounter, listen, type MetricsContext } from './context.js'

export const ADHOC_BOARD = '_adhoc'

export function leaderboardMetrics (ctx: MetricsContext): void {
  ctx.cleanup.push(watchCores(ctx.fastify, 'leaderboard', onFirst(() => {
    const submits = talliedCounter(ctx, {
      name: 'frp_leaderboard_submits_total',
      help: 'Scores submitted or incremented, by board and whether the stored score changed.',
      labelNames: ['board', 'changed']
    })
    const reads = talliedCounter(ctx, {
      name: 'frp_leaderboard_reads_total',
      help: 'Leaderboard reads by board and operation (score, rank, percentile, info, top, page, around, count, rangeByScore).',
      labelNames: ['board', 'op']
    })
    return ({ board, configured }) => {
      const label = configured ? board.name : ADHOC_BOARD
      listen(ctx, board, 'submit', (r: SubmitResult) => {
        const changed = r.changed ? 'true' : 'false'
        submits.add(label + '\n' + changed, () => ({ board: label, changed }))
      })
      listen(ctx, board, 'read', (_board: string, op: string) => { reads.add(label + '\n' + op, () => ({ board: label, op })) })
    }
  })))
}

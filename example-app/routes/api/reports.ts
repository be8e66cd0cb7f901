// The nightly repeatable job: at 03:00 UTC one `rollup-weekly` job (one per night however many
// app instances run: queue.schedule claims each tick once) rolls the last four weekly boards up
// into the stored roll-up `last-4-weeks`, served by GET /api/reports/four-weeks. Registering the
// schedule at every start is safe: an unchanged schedule keeps its next tick.
import type { FastifyInstance } from 'fastify'

const ROLLUP = 'last-4-weeks'

export default async function reports (fastify: FastifyInstance, _opts: object): Promise<void> {
  const queue = fastify.queue('reports')
  const weekly = fastify.leaderboard('weekly')

  queue.process(async job => {
    if (job.name !== 'rollup-weekly') throw new Error(`unknown report job "${job.name}"`)
    const board = await weekly.rollup(ROLLUP, { periods: 4 })
    return { members: await board.count() }
  })
  await queue.schedule('nightly-weekly-rollup', { cron: '0 3 * * *', tz: 'UTC' }, { name: 'rollup-weekly', opts: { attempts: 3, backoff: 60_000 } })

  fastify.get('/reports/four-weeks', async () => ({ rollup: ROLLUP, entries: await weekly.rolledUp(ROLLUP).top(10) }))
}

// Finishing a game submits the logged-in player's score to the all-time board (best score
// kept, ties to whoever got there first) and to this week's board (scores add up). The member is
// always the session's user: this is the only way a member's score changes (the leaderboard
// plugin's own write routes are for admins).
import type { FastifyInstance } from 'fastify'
import { requireUser } from '../../auth/hooks.js'
import { int } from '../../schemas/numbers.js'
import { awardPoints, pointsForScore } from '../../recipes/points.js'

export default async function games (fastify: FastifyInstance, _opts: object): Promise<void> {
  fastify.post<{ Params: { id: string }, Body: { score: number } }>('/games/:id/finish', {
    onRequest: requireUser,
    schema: {
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } } },
      body: { type: 'object', required: ['score'], additionalProperties: false, properties: { score: int(0, 1_000_000) } }
    }
  }, async request => {
    const player = `user:${request.session.userId as string}`
    const [alltime, weekly, points] = await Promise.all([
      fastify.leaderboard('alltime').submit(player, request.body.score),
      fastify.leaderboard('weekly').submit(player, request.body.score),
      // Finishing a game also earns the player points (a bounded HINCRBY, shown on /api/me).
      awardPoints(fastify.redis, Number(request.session.userId), pointsForScore(request.body.score))
    ])
    return { game: request.params.id, player, alltime, weekly, points }
  })
}

// Finishing a game submits the logged-in player's score to the all-time board (best score
// kept, ties to whoever got there first) and to this week's board (scores add up).
import type { FastifyInstance } from 'fastify'

export default async function games (fastify: FastifyInstance, _opts: object): Promise<void> {
  fastify.post<{ Params: { id: string }, Body: { score: number } }>('/games/:id/finish', {
    preHandler: fastify.requireUser,
    schema: {
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } } },
      body: { type: 'object', required: ['score'], additionalProperties: false, properties: { score: { type: 'integer', minimum: 0, maximum: 1_000_000 } } }
    }
  }, async request => {
    const player = `user:${request.session.userId as string}`
    const [alltime, weekly] = await Promise.all([
      fastify.leaderboard('alltime').submit(player, request.body.score),
      fastify.leaderboard('weekly').submit(player, request.body.score)
    ])
    return { game: request.params.id, player, alltime, weekly }
  })
}

// Daily activity: every request of a logged-in user marks them active for the day (the
// redisActivity plugin's `track`, after the response); GET /stats/active reads the counts and the
// caller's streak.
import type { FastifyInstance } from 'fastify'
import { requireUser } from '../../auth/hooks.js'

export default async function stats (fastify: FastifyInstance, _opts: object): Promise<void> {
  fastify.get('/stats/active', { onRequest: requireUser }, async request => {
    const [dau, wau, mau, streak] = await Promise.all([
      fastify.activity.count('day'),
      fastify.activity.count('week'),
      fastify.activity.count('month'),
      fastify.activity.streak(Number(request.session.userId))
    ])
    return { day: fastify.activity.today(), dau, wau, mau, streak }
  })
}

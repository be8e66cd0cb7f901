// Login, logout and session management: a strict rate limit on /login (per IP through the route
// config, per username inside the handler), Redis sessions bound to the user on login.
import type { FastifyInstance } from 'fastify'
import { verifyPassword } from '../../db/passwords.js'
import { requireUser } from '../../auth/hooks.js'
import { pointsOf } from '../../recipes/points.js'

export default async function auth (fastify: FastifyInstance, _opts: object): Promise<void> {
  // 5 attempts per 15 minutes per username, whatever address they come from.
  const perUsername = fastify.rateLimit.rule({ limit: 5, window: 15 * 60_000 })

  fastify.post<{ Body: { email: string, password: string } }>('/login', {
    config: { rateLimit: { limit: 5, window: 60_000 } }, // per IP
    schema: {
      body: {
        type: 'object',
        required: ['email', 'password'],
        additionalProperties: false,
        properties: { email: { type: 'string', minLength: 3, maxLength: 254 }, password: { type: 'string', minLength: 1, maxLength: 200 } }
      }
    }
  }, async (request, reply) => {
    const email = request.body.email.toLowerCase()
    const limited = await fastify.rateLimit.check(`login:${email}`, perUsername)
    if (!limited.allowed) {
      reply.header('retry-after', Math.ceil(limited.retryAfterMs / 1000))
      return await reply.code(429).send({ statusCode: 429, error: 'Too Many Requests', message: 'Too many attempts for this account', retryAfterMs: limited.retryAfterMs })
    }
    const found = fastify.repos.users.credentials(email)
    if (found === undefined || !verifyPassword(request.body.password, found.passwordHash)) {
      return await reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Wrong email or password' })
    }
    // New session id (the anonymous one is destroyed: no fixation), indexed under the user.
    await request.session.setUser(String(found.id))
    return { userId: found.id }
  })

  fastify.post('/logout', async request => {
    await request.session.destroy()
    return { loggedOut: true }
  })

  fastify.get('/me', { onRequest: requireUser }, async request => {
    const id = Number(request.session.userId)
    return { user: fastify.repos.users.get(id), points: await pointsOf(fastify.redis, id) }
  })

  fastify.get('/me/sessions', { onRequest: requireUser }, async request => {
    const sessions = await fastify.sessions.listForUser(request.session.userId as string)
    return { current: request.session.id, sessions }
  })

  fastify.post('/me/sessions/logout-all', { onRequest: requireUser }, async request => {
    const destroyed = await fastify.sessions.destroyAllForUser(request.session.userId as string, { except: request.session.id })
    return { destroyed }
  })
}

// Users: a route-level response cache tagged per user, cache-aside through `cache.wrap` with
// stampede protection, and invalidation by tag after an update. Profiles are public, e-mail
// addresses are not: only the user themself and admins see them, and a user changes only their
// own profile (admins any).
import type { FastifyInstance } from 'fastify'
import type { User } from '../../db/repositories.js'
import { isSelfOrAdmin, requireSelfOrAdmin, requireUser } from '../../auth/hooks.js'
import { idParams } from '../../schemas/numbers.js'

const user = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' }, email: { type: 'string' }, bio: { type: 'string' }, updatedAt: { type: 'integer' } }
} as const

/** What anyone may read about a user: no e-mail address. */
const publicView = ({ id, name, bio, updatedAt }: User) => ({ id, name, bio, updatedAt })

export default async function users (fastify: FastifyInstance, _opts: object): Promise<void> {
  const notFound = { statusCode: 404, error: 'Not Found', message: 'No such user' }

  // Whole HTTP responses cached in Redis (and L1), tagged so PATCH can drop them. The cache
  // serves and stores only requests without a cookie (x-cache: BYPASS otherwise), so the owner's
  // answer, which carries the e-mail address, is never cached for anyone else. Browsers are told
  // `public, max-age=0`: they revalidate every time (a 304 from L1 on an unchanged ETag), because
  // a copy they kept would not see the PATCH invalidation.
  fastify.get<{ Params: { id: number } }>('/users/:id', {
    schema: { params: idParams, response: { 200: user } },
    config: { cache: { ttl: 30_000, tags: req => [`user:${req.params.id}`], cacheControl: { maxAge: 0 } } }
  }, async (request, reply) => {
    const found = fastify.repos.users.get(request.params.id)
    if (found === undefined) return await reply.code(404).send(notFound)
    return isSelfOrAdmin(request, found.id) ? { ...publicView(found), email: found.email } : publicView(found)
  })

  // Cache-aside with stampede protection: concurrent misses (on any instance) run one query.
  fastify.get<{ Params: { id: number } }>('/users/:id/profile', {
    schema: { params: idParams }
  }, async (request, reply) => {
    const id = request.params.id
    const profile = await fastify.cache.wrap(`profile:${id}`, async () => {
      const u = fastify.repos.users.get(id)
      // null is cached too (negative caching), so unknown ids do not hit SQLite every time.
      return u === undefined ? null : { id: u.id, name: u.name, bio: u.bio, initials: u.name.slice(0, 2).toUpperCase() }
    }, { ttl: 60_000, tags: [`user:${id}`] })
    return profile ?? await reply.code(404).send(notFound)
  })

  fastify.patch<{ Params: { id: number }, Body: { name?: string, bio?: string } }>('/users/:id', {
    // Anonymous clients are turned away before the body is even parsed; the owner check needs
    // the validated (numeric) id, so it runs after validation.
    onRequest: requireUser,
    preHandler: requireSelfOrAdmin('id'),
    schema: {
      params: idParams,
      body: {
        type: 'object',
        minProperties: 1,
        additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, bio: { type: 'string', maxLength: 1000 } }
      },
      response: { 200: user }
    }
  }, async (request, reply) => {
    const updated = fastify.repos.users.update(request.params.id, request.body)
    if (updated === undefined) return await reply.code(404).send(notFound)
    // Drops the cached response and profile in Redis and in every instance's L1.
    await fastify.cache.invalidateTags([`user:${request.params.id}`])
    return { ...publicView(updated), email: updated.email }
  })
}

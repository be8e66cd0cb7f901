// Who may do what in the example app: hooks for a route's onRequest (or preHandler) that answer
// 401 JSON to anonymous clients and 403 JSON to a logged-in user without the right. The session
// holds only the user id; the role is read from SQLite on each check (one primary-key lookup), so
// a demoted admin or a deleted user loses access at once instead of when the session ends.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Role } from '../db/database.js'

export interface Principal { id: number, role: Role }

const principals = new WeakMap<FastifyRequest, Principal | null>()

/** The logged-in user of the request, or null (anonymous, or the user no longer exists). */
export function principalOf (request: FastifyRequest): Principal | null {
  let found = principals.get(request)
  if (found !== undefined) return found
  const userId = request.session.userId
  const id = userId === null ? NaN : Number(userId)
  const role = Number.isSafeInteger(id) ? request.server.repos.users.role(id) : undefined
  found = role === undefined ? null : { id, role }
  principals.set(request, found)
  return found
}

/** True when the request's user is user `id` or an admin. */
export function isSelfOrAdmin (request: FastifyRequest, id: number): boolean {
  const p = principalOf(request)
  return p !== null && (p.role === 'admin' || p.id === id)
}

const unauthorized = { statusCode: 401, error: 'Unauthorized', message: 'Log in first: POST /api/login' }
const forbidden = (message: string) => ({ statusCode: 403, error: 'Forbidden', message })

/** 401 unless the request's session belongs to an existing user. */
export async function requireUser (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  if (principalOf(request) === null) return await reply.code(401).send(unauthorized)
}

/** 401 for anonymous clients, 403 for users who are not admins. */
export async function requireAdmin (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const p = principalOf(request)
  if (p === null) return await reply.code(401).send(unauthorized)
  if (p.role !== 'admin') return await reply.code(403).send(forbidden('Admins only'))
}

/**
 * 401 for anonymous clients, 403 unless the user is the one the path's `:param` names, or an
 * admin. Use it as a preHandler: it reads the parameter after schema validation made it a number.
 */
export function requireSelfOrAdmin (param = 'id') {
  return async function requireSelfOrAdminHook (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    if (principalOf(request) === null) return await reply.code(401).send(unauthorized)
    const id = (request.params as Record<string, unknown>)[param]
    if (typeof id !== 'number' || !isSelfOrAdmin(request, id)) {
      return await reply.code(403).send(forbidden('Only the account owner or an admin may do this'))
    }
  }
}

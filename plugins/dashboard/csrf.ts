// CSRF protection of every dashboard change (POST and DELETE), two independent checks:
// - where the request comes from: a browser's `Sec-Fetch-Site` must be same-origin and its
//   `Origin`, when sent, must be the dashboard's own (or one of `origins`);
// - a double-submit token: a random value in an HttpOnly, SameSite=Strict cookie scoped to the
//   dashboard's prefix, which the request must repeat in the `_csrf` form field or the
//   `x-csrf-token` header. Another site can make a browser send the cookie, never read it.
// Scripts using the JSON API fetch a token (and its cookie) with GET <prefix>/api/csrf first.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { FRP_DASHBOARD_CSRF } from '../../lib/shared/errors.js'

export const CSRF_COOKIE = 'frp_dashboard_csrf'
export const CSRF_FIELD = '_csrf'
export const CSRF_HEADER = 'x-csrf-token'

const TOKEN = /^[A-Za-z0-9_-]{43}$/

function cookieToken (request: FastifyRequest): string | null {
  const header = request.headers.cookie
  if (header === undefined) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === CSRF_COOKIE) {
      const v = part.slice(eq + 1).trim()
      return TOKEN.test(v) ? v : null
    }
  }
  return null
}

export interface CsrfGuard {
  /** The request's token, made (and its cookie set on `reply`) when it has none. */
  token: (request: FastifyRequest, reply: FastifyReply) => string
  /** Throws FRP_DASHBOARD_CSRF (403) unless the request passes both checks. */
  check: (request: FastifyRequest) => void
}

export function csrfGuard (cookiePath: string, origins: readonly string[]): CsrfGuard {
  const made = new WeakMap<FastifyRequest, string>()
  return {
    token (request, reply) {
      const known = made.get(request) ?? cookieToken(request)
      if (known !== null) return known
      const fresh = randomBytes(32).toString('base64url')
      made.set(request, fresh)
      const secure = request.protocol === 'https' ? '; Secure' : ''
      reply.header('set-cookie', `${CSRF_COOKIE}=${fresh}; Path=${cookiePath}; HttpOnly; SameSite=Strict${secure}`)
      return fresh
    },
    check (request) {
      const site = request.headers['sec-fetch-site']
      if (site !== undefined && site !== 'same-origin') throw new FRP_DASHBOARD_CSRF(`Sec-Fetch-Site is ${String(site)}`)
      const origin = request.headers.origin
      if (origin !== undefined) {
        const own = `${request.protocol}://${request.host}`
        if (origin !== own && !origins.includes(origin)) throw new FRP_DASHBOARD_CSRF(`Origin ${origin} is not this dashboard's`)
      }
      const expected = cookieToken(request)
      const body = request.body as Record<string, unknown> | undefined
      const sent = request.headers[CSRF_HEADER] ?? (body !== null && typeof body === 'object' ? body[CSRF_FIELD] : undefined)
      if (expected === null) throw new FRP_DASHBOARD_CSRF('no token cookie (load a dashboard page or GET api/csrf first)')
      if (typeof sent !== 'string' || sent.length !== expected.length ||
        !timingSafeEqual(Buffer.from(sent), Buffer.from(expected))) throw new FRP_DASHBOARD_CSRF('missing or wrong token')
    }
  }
}

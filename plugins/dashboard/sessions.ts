// The sessions section: how many sessions are live (SCAN, counted up to 100,000 and reused for
// 10 s), a user's sessions with their device metadata and last use, and revoking one or all.
// Session ids are bearer secrets: pages and the API never show them. A session is named by a
// handle (the first 16 characters of the SHA-256 of its id), which only this page can map back.
import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifySchema } from 'fastify'
import type { SessionInfo, SessionStore } from '../../lib/session/store.js'
import type { LiveSessionCount } from '../../lib/session/count.js'
import { FRP_DASHBOARD_NOT_FOUND } from '../../lib/shared/errors.js'
import { dashboardErrors } from './responses.js'
import { registerAction } from './actions.js'
import { html, path, query, type Html } from './html.js'
import { actionForm, facts, table, when, type PageContext } from './layout.js'
import type { DashboardContext } from './context.js'

const tags = ['dashboard']
const COUNT_FOR = 10_000
const userId = { type: 'string', minLength: 1, maxLength: 1024 }
const handle = { type: 'string', pattern: '^[A-Za-z0-9_-]{16}$', description: 'the session\'s handle (GET api/sessions?user=…)' }

export const handleOf = (id: string): string => createHash('sha256').update(id).digest('base64url').slice(0, 16)

interface ShownSession { handle: string, createdAt: number, lastSeenAt: number, expiresAt: number, absoluteExpiresAt: number, metadata: Record<string, string> | null }
const shown = (s: SessionInfo): ShownSession => ({ handle: handleOf(s.id), createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, expiresAt: s.expiresAt, absoluteExpiresAt: s.absoluteExpiresAt, metadata: s.metadata })

const sessionSchema = {
  type: 'object',
  properties: {
    handle: { type: 'string' },
    createdAt: { type: 'integer' },
    lastSeenAt: { type: 'integer' },
    expiresAt: { type: 'integer' },
    absoluteExpiresAt: { type: 'integer' },
    metadata: { type: 'object', nullable: true, additionalProperties: { type: 'string' } }
  }
}

function sessionsView (ctx: PageContext, live: LiveSessionCount, user: string | undefined, list: ShownSession[] | null): Html {
  const base = path(ctx.prefix, 'sessions')
  const rows = (list ?? []).map(s => [
    s.handle,
    s.metadata === null ? '—' : Object.entries(s.metadata).map(([k, v]) => html`<div>${k}: ${v}</div>`),
    when(s.createdAt), when(s.lastSeenAt), when(s.expiresAt),
    actionForm(ctx, base + '/revoke', 'Revoke', { hidden: { user: user ?? '', handle: s.handle }, danger: true })
  ])
  return html`${facts([['Live sessions', `${live.capped ? 'at least ' : ''}${live.count}`]])}
<form class="search" method="get" action="${base}"><label>User id <input name="user" maxlength="1024" required value="${user ?? ''}"></label><button type="submit">Show sessions</button></form>
${user === undefined
  ? ''
  : html`<h2>Sessions of ${user}</h2>${table(['Handle', 'Device', 'Created', 'Last seen', 'Expires', ''], rows, 'No live session.')}
${(list ?? []).length === 0 ? '' : actionForm(ctx, base + '/revoke-all', 'Revoke all', { hidden: { user }, danger: true, confirm: `Log ${user} out everywhere` })}`}`
}

export function sessionRoutes (scope: FastifyInstance, ctx: DashboardContext): void {
  const store = (): SessionStore => {
    const s = ctx.sources.sessions[0]
    if (s === undefined) throw new FRP_DASHBOARD_NOT_FOUND('section', 'sessions')
    return s
  }
  let cached: { at: number, value: LiveSessionCount } | null = null
  const live = async (): Promise<LiveSessionCount> => {
    if (cached !== null && Date.now() - cached.at < COUNT_FOR) return cached.value
    const value = await store().countLive()
    cached = { at: Date.now(), value }
    return value
  }
  const listOf = async (user: string | undefined): Promise<ShownSession[] | null> => user === undefined ? null : (await store().listForUser(user)).map(shown)
  const userQuery = { type: 'object', properties: { user: { ...userId, description: 'a user id: list that user\'s sessions' }, done: { type: 'string', maxLength: 40 } } }

  scope.get<{ Querystring: { user?: string } }>('/sessions', { schema: { hide: true, querystring: userQuery } as never, config: { dashboardHtml: true } as never }, async (request, reply) => {
    const [count, list] = await Promise.all([live(), listOf(request.query.user)])
    const pctx = ctx.pageContext(request, reply)
    return ctx.sendPage(reply, pctx, 'sessions', 'Sessions', sessionsView(pctx, count, request.query.user, list))
  })

  scope.get<{ Querystring: { user?: string } }>('/api/sessions', {
    schema: {
      tags,
      summary: 'Live sessions, and a user\'s',
      description: 'How many sessions are live (SCAN, counted up to 100,000, reused for 10 s); with `user`, that user\'s sessions, most recently used first (device metadata, last use, expiry), each named by a handle, never by its id.',
      querystring: userQuery,
      response: {
        200: {
          type: 'object',
          description: 'The count and the user\'s sessions',
          properties: {
            live: { type: 'object', properties: { count: { type: 'integer' }, capped: { type: 'boolean' } } },
            sessions: { type: 'array', nullable: true, items: sessionSchema }
          }
        },
        ...dashboardErrors()
      }
    } as FastifySchema
  }, async request => {
    const [count, list] = await Promise.all([live(), listOf(request.query.user)])
    return { live: count, sessions: list }
  })

  registerAction<Record<string, never>, { user: string, handle: string }>(scope, ctx.flashes, {
    id: 'session-revoke',
    path: '/sessions/revoke',
    done: 'Session revoked.',
    summary: 'Revoke one session',
    description: 'Ends the session `handle` of user `user` at once.',
    tags,
    params: {},
    body: { properties: { user: userId, handle }, required: ['user', 'handle'] },
    errors: { 404: 'No live session with this handle (FRP_DASHBOARD_NOT_FOUND)', 415: 'The body\'s content type has no parser' },
    run: async req => {
      const s = (await store().listForUser(req.body.user)).find(x => handleOf(x.id) === req.body.handle)
      if (s === undefined) throw new FRP_DASHBOARD_NOT_FOUND('session', req.body.handle)
      await store().destroy(s.id)
      cached = null
      return { back: path(ctx.prefix, 'sessions') + query({ user: req.body.user }) }
    }
  })

  registerAction<Record<string, never>, { user: string }>(scope, ctx.flashes, {
    id: 'session-revoke-all',
    path: '/sessions/revoke-all',
    done: 'Every session of the user was revoked.',
    summary: 'Revoke every session of a user',
    description: 'Ends every session of user `user` (logs them out everywhere).',
    tags,
    params: {},
    body: { properties: { user: userId }, required: ['user'] },
    confirm: 'Log this user out everywhere',
    errors: { 415: 'The body\'s content type has no parser' },
    run: async req => {
      const revoked = await store().destroyAllForUser(req.body.user)
      cached = null
      return { back: path(ctx.prefix, 'sessions') + query({ user: req.body.user }), result: { revoked } }
    }
  })
}

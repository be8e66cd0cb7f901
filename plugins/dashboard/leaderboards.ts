// The leaderboards section: boards and their periods, the top of a board with ranks (cursor
// paging), a member's score, ranks and neighbours, and removing a member.
import type { FastifyInstance, FastifySchema } from 'fastify'
import type { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import type { Entry, MemberInfo } from '../../lib/leaderboard/types.js'
import { FRP_LEADERBOARD_NOT_FOUND } from '../../lib/shared/errors.js'
import { dashboardErrors } from './responses.js'
import { registerAction } from './actions.js'
import { html, path, query, type Html } from './html.js'
import { actionForm, facts, json, table, when, type PageContext } from './layout.js'
import type { DashboardContext } from './context.js'

interface BP { board: string }
interface BoardQ { period?: number, cursor?: string, member?: string }

const tags = ['dashboard']
const boardName = { type: 'string', minLength: 1, maxLength: 200 }
const member = { type: 'string', minLength: 1, maxLength: 1024 }
const boardParams = { type: 'object', required: ['board'], properties: { board: boardName } }
const boardQuery = {
  type: 'object',
  properties: {
    period: { type: 'integer', minimum: -1000, maximum: 0, default: 0, description: '0 the current period, -1 the previous one…' },
    cursor: { type: 'string', maxLength: 2100, description: 'the `next` of the previous page' },
    member: { ...member, description: 'a member to look up' },
    done: { type: 'string', maxLength: 40 }
  }
}
const entry = { type: 'object', properties: { member: { type: 'string' }, score: { type: 'number' }, rank: { type: 'integer' } } }
const memberInfo = {
  type: 'object',
  nullable: true,
  properties: {
    member: { type: 'string' },
    score: { type: 'number' },
    rank: { type: 'integer' },
    competitionRank: { type: 'integer' },
    percentile: { type: 'number' },
    count: { type: 'integer' },
    reachedAt: { type: 'integer' }
  }
}
const boardInfo = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    configured: { type: 'boolean', description: 'named in the plugin\'s `boards` (else made on the fly)' },
    order: { type: 'string' },
    update: { type: 'string' },
    period: { type: 'string', nullable: true },
    periodId: { type: 'string', nullable: true },
    keep: { type: 'integer' },
    count: { type: 'integer' }
  }
}
const NO_BOARD = 'Unknown leaderboard (FRP_LEADERBOARD_NOT_FOUND)'
const errs = dashboardErrors

interface BoardSummary { name: string, configured: boolean, order: string, update: string, period: string | null, periodId: string | null, keep: number, count: number }

async function summary (b: { board: Leaderboard, configured: boolean }): Promise<BoardSummary> {
  const c = b.board.config
  return { name: b.board.name, configured: b.configured, order: c.order, update: c.update, period: c.period, periodId: b.board.periodId, keep: c.keep, count: await b.board.count() }
}

function boardsView (ctx: PageContext, boards: BoardSummary[]): Html {
  return table(['Board', 'Order', 'Update', 'Period', 'Members'], boards.map(b => [
    html`<a href="${path(ctx.prefix, 'leaderboards', b.name)}">${b.name}</a>${b.configured ? '' : html` <span class="badge">ad hoc</span>`}`,
    b.order, b.update, b.period === null ? 'none' : `${b.period} (${b.periodId ?? ''}, keeps ${b.keep})`, b.count
  ]), 'No leaderboard yet.')
}

function boardView (ctx: PageContext, b: BoardSummary, period: number, entries: Entry[], next: string | null, cursor: string | undefined, lookup: { member: string, info: MemberInfo | null, around: Entry[] | null } | null): Html {
  const base = path(ctx.prefix, 'leaderboards', b.name)
  const periods = b.period === null ? '' : html`<nav class="paging">${Array.from({ length: b.keep }, (_, i) => -i).map(p => html`<a href="${base + query({ period: p === 0 ? undefined : p })}"${p === period ? html` aria-current="page"` : ''}>${p === 0 ? 'current' : `${p}`}</a> `)}</nav>`
  const rows = (list: Entry[]): unknown[][] => list.map(e => [e.rank, html`<a href="${base + query({ period: period === 0 ? undefined : period, member: e.member })}">${e.member}</a>`, e.score])
  const removeForm = (m: string): Html => actionForm(ctx, base + '/remove', 'Remove member', { hidden: { member: m, period }, danger: true, confirm: `Remove ${m}` })
  const found = lookup === null
    ? ''
    : lookup.info === null
      ? html`<p class="empty">${lookup.member} is not on this board.</p>`
      : html`${facts([['Member', lookup.info.member], ['Score', lookup.info.score], ['Rank', lookup.info.rank], ['Competition rank', lookup.info.competitionRank],
        ['Percentile', lookup.info.percentile.toFixed(1)], ['Reached at', when(lookup.info.reachedAt)], ['Metadata', html`<pre>${json(lookup.info.meta ?? null)}</pre>`]])}
<h3>Neighbours</h3>${table(['Rank', 'Member', 'Score'], rows(lookup.around ?? []))}${removeForm(lookup.info.member)}`
  return html`${facts([['Members', b.count], ['Order', b.order], ['Update', b.update], ['Period', b.period === null ? 'none' : `${b.period}, now ${b.periodId ?? ''}`]])}
${periods}
<form class="search" method="get" action="${base}">${period === 0 ? '' : html`<input type="hidden" name="period" value="${period}">`}<label>Member <input name="member" maxlength="1024" required value="${lookup?.member ?? ''}"></label><button type="submit">Look up</button></form>
${found}
<h2>Top</h2>
${table(['Rank', 'Member', 'Score'], rows(entries), 'Nobody on this board.')}
<nav class="paging">${cursor === undefined ? '' : html`<a href="${base + query({ period: period === 0 ? undefined : period })}">First page</a>`}${next === null ? '' : html` <a rel="next" href="${base + query({ period: period === 0 ? undefined : period, cursor: next })}">Next page</a>`}</nav>`
}

export function leaderboardRoutes (scope: FastifyInstance, ctx: DashboardContext): void {
  const find = (name: string, period = 0): { board: Leaderboard, configured: boolean, view: Leaderboard } => {
    const b = ctx.sources.leaderboards.get(name)
    if (b === undefined) throw new FRP_LEADERBOARD_NOT_FOUND(name)
    return { ...b, view: period === 0 ? b.board : b.board.period(period) }
  }
  const all = async (): Promise<BoardSummary[]> => await Promise.all([...ctx.sources.leaderboards.keys()].sort().map(async n => await summary(find(n))))
  const lookupOf = async (view: Leaderboard, m: string | undefined): Promise<{ member: string, info: MemberInfo | null, around: Entry[] | null } | null> => {
    if (m === undefined) return null
    const [info, around] = await Promise.all([view.info(m, { meta: true }), view.around(m, 5)])
    return { member: m, info, around }
  }

  scope.get('/leaderboards', { schema: { hide: true } as never, config: { dashboardHtml: true } as never }, async (request, reply) => {
    const pctx = ctx.pageContext(request, reply)
    return ctx.sendPage(reply, pctx, 'leaderboards', 'Leaderboards', boardsView(pctx, await all()))
  })

  scope.get<{ Params: BP, Querystring: BoardQ }>('/leaderboards/:board', {
    schema: { hide: true, params: boardParams, querystring: boardQuery } as never, config: { dashboardHtml: true } as never
  }, async (request, reply) => {
    const { period = 0, cursor, member: m } = request.query
    const b = find(request.params.board, period)
    const [s, page, lookup] = await Promise.all([summary(b), b.view.page(cursor ?? null, { limit: ctx.pageSize }), lookupOf(b.view, m)])
    s.count = await b.view.count()
    const pctx = ctx.pageContext(request, reply)
    return ctx.sendPage(reply, pctx, 'leaderboards', `Leaderboard ${b.board.name}`, boardView(pctx, s, period, page.entries, page.next, cursor, lookup))
  })

  scope.get('/api/leaderboards', {
    schema: {
      tags,
      summary: 'List leaderboards',
      description: 'Every board the app has (configured or made on the fly), with its settings, current period and size.',
      response: { 200: { type: 'object', description: 'The boards', properties: { boards: { type: 'array', items: boardInfo } } }, ...errs() }
    } as FastifySchema
  }, async () => ({ boards: await all() }))

  scope.get<{ Params: BP, Querystring: BoardQ }>('/api/leaderboards/:board', {
    schema: {
      tags,
      summary: 'A page of a board, and a member',
      description: 'One page of the board (of period `period`) after `cursor`, best first with ranks; with `member`, that member\'s score, ranks and the 5 members either side.',
      params: boardParams,
      querystring: boardQuery,
      response: {
        200: {
          type: 'object',
          description: 'The page',
          properties: {
            board: boardInfo,
            entries: { type: 'array', items: entry },
            next: { type: 'string', nullable: true },
            member: memberInfo,
            around: { type: 'array', nullable: true, items: entry }
          }
        },
        ...errs({ 404: NO_BOARD })
      }
    } as FastifySchema
  }, async request => {
    const { period = 0, cursor, member: m } = request.query
    const b = find(request.params.board, period)
    const [s, page, lookup] = await Promise.all([summary(b), b.view.page(cursor ?? null, { limit: ctx.pageSize }), lookupOf(b.view, m)])
    return { board: s, entries: page.entries, next: page.next, member: lookup?.info ?? null, around: lookup?.around ?? null }
  })

  registerAction<BP, { member: string, period?: number }>(scope, ctx.flashes, {
    id: 'board-remove',
    path: '/leaderboards/:board/remove',
    done: 'Member removed from the board.',
    summary: 'Remove a member',
    description: 'Removes a member (and its score) from the board of period `period` (default the current one).',
    tags,
    params: { board: boardName },
    body: { properties: { member, period: { type: 'integer', minimum: -1000, maximum: 0 } }, required: ['member'] },
    confirm: 'Remove this member',
    errors: { 404: NO_BOARD, 415: 'The body\'s content type has no parser' },
    run: async req => {
      const period = req.body.period ?? 0
      const removed = await find(req.params.board, period).view.remove(req.body.member)
      return { back: path(ctx.prefix, 'leaderboards', req.params.board) + query({ period: period === 0 ? undefined : period }), result: { removed } }
    }
  })
}

// The dashboard's home page: the sections the app has, each with a one-line summary.
import type { FastifyInstance } from 'fastify'
import { html, path } from './html.js'
import { SECTION_TITLES, table } from './layout.js'
import type { DashboardContext } from './context.js'

export function overviewRoutes (scope: FastifyInstance, ctx: DashboardContext): void {
  scope.get('/', { schema: { hide: true } as never, config: { dashboardHtml: true } as never }, async (request, reply) => {
    const s = ctx.sources
    const summary: Record<string, string> = {
      queues: `${s.queues.size} queue(s)`,
      leaderboards: `${s.leaderboards.size} board(s)`,
      locks: `${s.lockers.length} locker(s)`,
      sessions: `${s.sessions.length} session store(s)`,
      cache: `${s.caches.length} cache(s), ${s.routeCaches.length} cached route(s)`,
      'rate-limits': `${s.rateLimiters.length} limiter(s)`,
      redis: 'servers, memory and eviction'
    }
    const pctx = ctx.pageContext(request, reply)
    const rows = pctx.sections.map(id => [html`<a href="${path(ctx.prefix, id)}">${SECTION_TITLES[id]}</a>`, summary[id]])
    return ctx.sendPage(reply, pctx, null, ctx.title, table(['Section', 'What is there'], rows))
  })
}

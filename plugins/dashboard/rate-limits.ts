// The rate-limits section: the policies in force and the routes counting under each (as the
// rate-limit plugin announced them), a key's current state under a scope (peek: nothing is
// counted) and resetting a key.
import type { FastifyInstance, FastifySchema } from 'fastify'
import type { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import type { RateLimitRule } from '../../lib/rate-limit/policy.js'
import type { RateLimitResult } from '../../lib/rate-limit/result.js'
import { FRP_DASHBOARD_NOT_FOUND } from '../../lib/shared/errors.js'
import { dashboardErrors } from './responses.js'
import { registerAction } from './actions.js'
import { html, path, query, type Html } from './html.js'
import { actionForm, facts, table, type PageContext } from './layout.js'
import type { DashboardContext } from './context.js'

const tags = ['dashboard']
const scopeField = { type: 'string', minLength: 1, maxLength: 2100, description: 'the counter scope (`global|`, `g:<group>|`, `r:<route>|`: GET api/rate-limits)' }
const keyField = { type: 'string', minLength: 1, maxLength: 1024, description: 'the key the route\'s keyGenerator gives (by default the client IP)' }

interface ScopeInfo { limiter: number, scope: string, rule: RateLimitRule, routes: string[] }

function policyText (rule: RateLimitRule): string {
  return rule.policies.map(p => `${p.name}: ${p.limit} per ${p.window / 1000} s (${p.algorithm}${p.burst > 0 && p.burst !== p.limit ? `, burst ${p.burst}` : ''})`).join('; ')
}

function scopesOf (ctx: DashboardContext): ScopeInfo[] {
  const out = new Map<string, ScopeInfo>()
  for (const r of ctx.sources.rateLimitRoutes) {
    const limiter = ctx.sources.rateLimiters.indexOf(r.limiter)
    const id = `${limiter} ${r.scope}`
    const s = out.get(id) ?? { limiter, scope: r.scope, rule: r.rule, routes: [] }
    s.routes.push(`${r.method} ${r.url}`)
    out.set(id, s)
  }
  return [...out.values()].sort((a, b) => a.scope < b.scope ? -1 : 1)
}

const shownResult = (r: RateLimitResult): Record<string, unknown> => ({ allowed: r.allowed, limit: r.limit, remaining: r.remaining, resetMs: r.resetMs, retryAfterMs: r.retryAfterMs, policy: r.policy.name, degraded: r.degraded })

function limitsView (ctx: PageContext, scopes: ScopeInfo[], lookup: { scope: string, key: string, result: RateLimitResult } | null): Html {
  const base = path(ctx.prefix, 'rate-limits')
  const options = scopes.map(s => html`<option value="${s.scope}"${lookup?.scope === s.scope ? html` selected` : ''}>${s.scope}</option>`)
  return html`${table(['Scope', 'Policies', 'Routes'], scopes.map(s => [s.scope, policyText(s.rule), s.routes.length > 20 ? `${s.routes.slice(0, 20).join(', ')} … (${s.routes.length})` : s.routes.join(', ')]), 'No rate-limited route.')}
<h2>A key's state</h2>
<form class="search" method="get" action="${base}"><label>Scope <select name="scope">${options}</select></label><label>Key <input name="key" maxlength="1024" required value="${lookup?.key ?? ''}"></label><button type="submit">Look up</button></form>
${lookup === null
  ? ''
  : html`${facts([['Key', lookup.key], ['Allowed now', lookup.result.allowed ? 'yes' : 'no'], ['Remaining', `${lookup.result.remaining} of ${lookup.result.limit} (${lookup.result.policy.name})`],
    ['Full again in', `${(lookup.result.resetMs / 1000).toFixed(1)} s`], ['Retry after', `${(lookup.result.retryAfterMs / 1000).toFixed(1)} s`]])}
${actionForm(ctx, base + '/reset', 'Reset this key', { hidden: { scope: lookup.scope, key: lookup.key }, danger: true })}`}`
}

export function rateLimitRoutes (scope: FastifyInstance, ctx: DashboardContext): void {
  const find = (scopeId: string): { limiter: RateLimiter, info: ScopeInfo } => {
    const info = scopesOf(ctx).find(s => s.scope === scopeId)
    const limiter = info === undefined ? undefined : ctx.sources.rateLimiters[info.limiter]
    if (info === undefined || limiter === undefined) throw new FRP_DASHBOARD_NOT_FOUND('rate-limit scope', scopeId)
    return { limiter, info }
  }
  const peek = async (scopeId: string, key: string): Promise<RateLimitResult> => {
    const { limiter, info } = find(scopeId)
    return await limiter.peek(scopeId + key, info.rule)
  }
  const lookupQuery = { type: 'object', properties: { scope: scopeField, key: keyField, done: { type: 'string', maxLength: 40 } } }

  scope.get<{ Querystring: { scope?: string, key?: string } }>('/rate-limits', {
    schema: { hide: true, querystring: lookupQuery } as never, config: { dashboardHtml: true } as never
  }, async (request, reply) => {
    const { scope: s, key } = request.query
    const lookup = s === undefined || key === undefined ? null : { scope: s, key, result: await peek(s, key) }
    const pctx = ctx.pageContext(request, reply)
    return ctx.sendPage(reply, pctx, 'rate-limits', 'Rate limits', limitsView(pctx, scopesOf(ctx), lookup))
  })

  scope.get<{ Querystring: { scope?: string, key?: string } }>('/api/rate-limits', {
    schema: {
      tags,
      summary: 'Rate-limit policies, routes and a key\'s state',
      description: 'Every counter scope with its policies and the routes counting under it; with `scope` and `key`, that key\'s state now (peeked: nothing is counted).',
      querystring: lookupQuery,
      response: {
        200: {
          type: 'object',
          description: 'The scopes, and the key\'s state',
          properties: {
            scopes: { type: 'array', items: { type: 'object', properties: { scope: { type: 'string' }, policies: { type: 'string' }, routes: { type: 'array', items: { type: 'string' } } } } },
            state: {
              type: 'object',
              nullable: true,
              properties: { allowed: { type: 'boolean' }, limit: { type: 'integer' }, remaining: { type: 'integer' }, resetMs: { type: 'integer' }, retryAfterMs: { type: 'integer' }, policy: { type: 'string' }, degraded: { type: 'boolean' } }
            }
          }
        },
        ...dashboardErrors({ 404: 'Unknown scope (FRP_DASHBOARD_NOT_FOUND)' })
      }
    } as FastifySchema
  }, async request => {
    const { scope: s, key } = request.query
    return {
      scopes: scopesOf(ctx).map(x => ({ scope: x.scope, policies: policyText(x.rule), routes: x.routes })),
      state: s === undefined || key === undefined ? null : shownResult(await peek(s, key))
    }
  })

  registerAction<Record<string, never>, { scope: string, key: string }>(scope, ctx.flashes, {
    id: 'rate-limit-reset',
    path: '/rate-limits/reset',
    done: 'Key reset: its counts are forgotten.',
    summary: 'Reset a key',
    description: 'Forgets every count of `key` under `scope` (all algorithms), in Redis and in this instance\'s block cache.',
    tags,
    params: {},
    body: { properties: { scope: scopeField, key: keyField }, required: ['scope', 'key'] },
    errors: { 404: 'Unknown scope (FRP_DASHBOARD_NOT_FOUND)', 415: 'The body\'s content type has no parser' },
    run: async req => {
      const { limiter } = find(req.body.scope)
      await limiter.reset(req.body.scope + req.body.key)
      return { back: path(ctx.prefix, 'rate-limits') + query({ scope: req.body.scope, key: req.body.key }) }
    }
  })
}

// The operator's dashboard (`app.register(redisDashboard, { authorize })`, subpath
// `fastify-redis-patterns/dashboard`): server-rendered pages and a JSON API under one prefix for
// whichever pattern plugins the app registers (they announce their cores: plugins/shared/cores.ts).
// Security first: no route without `authorize` (unless `public: true`), a CSRF guard on every
// change, every value escaped (plugins/dashboard/html.ts), a strict Content-Security-Policy and
// no inline script.
import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify'
import { invalid, optBool, optInt, optString, rejectUnknown } from '../lib/shared/options.js'
import { errorResponses } from './shared/route-responses.js'
import { csrfGuard } from './dashboard/csrf.js'
import { collectSources } from './dashboard/sources.js'
import type { DashboardContext } from './dashboard/context.js'
import { assetRoutes } from './dashboard/assets.js'
import { html, render } from './dashboard/html.js'
import { page } from './dashboard/layout.js'
import type { Flashes } from './dashboard/actions.js'
import { queueRoutes } from './dashboard/queues.js'
import { redisRoutes } from './dashboard/redis.js'
import { overviewRoutes } from './dashboard/overview.js'
import { leaderboardRoutes } from './dashboard/leaderboards.js'
import { lockRoutes } from './dashboard/locks.js'
import { sessionRoutes } from './dashboard/sessions.js'
import { cacheRoutes } from './dashboard/cache.js'
import { rateLimitRoutes } from './dashboard/rate-limits.js'

export interface RedisDashboardOptions {
  /** URL prefix of the pages and the JSON API (default '/dashboard'). */
  prefix?: string
  /**
   * Runs first on every dashboard request (pages, API, assets): answer 401/403 to refuse, as an
   * onRequest hook does. Required unless `public` is true.
   */
  authorize?: (request: FastifyRequest, reply: FastifyReply) => unknown
  /** Serve the dashboard without `authorize` (default false): only on a network nobody else reaches. */
  public?: boolean
  /** The name in the page titles (default 'Redis dashboard'). */
  title?: string
  /**
   * Origins besides the dashboard's own whose forms may post to it (e.g. behind a proxy that
   * rewrites Host): 'https://admin.example.com'.
   */
  origins?: string[]
  /** Jobs, members and sessions per page (default 25, at most 200). */
  pageSize?: number
  /** Prefix of the dashboard's own Redis keys (the pooled cache counters; default 'frp'). */
  redisPrefix?: string
  /** How often this instance writes its cache counters for the others (ms, default 5000). */
  statsInterval?: number
}

// The policy of every dashboard response. 'self' only: the pages load the package's own script
// and styles; no inline script or style, no eval, no framing, forms post only back here.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

function normalize (opts: RedisDashboardOptions): Required<Omit<RedisDashboardOptions, 'authorize'>> & Pick<RedisDashboardOptions, 'authorize'> {
  rejectUnknown('redisDashboard', opts, ['prefix', 'authorize', 'public', 'title', 'origins', 'pageSize', 'redisPrefix', 'statsInterval'])
  const isPublic = optBool('redisDashboard.public', opts.public, false)
  if (opts.authorize !== undefined && typeof opts.authorize !== 'function') throw invalid('redisDashboard.authorize', 'must be a function (request, reply)')
  if (opts.authorize === undefined && !isPublic) {
    throw invalid('redisDashboard.authorize', 'is required: the dashboard shows and changes every pattern\'s data; pass authorize(request, reply), or public: true to serve it to anyone who reaches it')
  }
  if (opts.authorize !== undefined && isPublic) throw invalid('redisDashboard.public', 'cannot be true together with authorize')
  const prefix = optString('redisDashboard.prefix', opts.prefix, '/dashboard')
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(prefix) || prefix.endsWith('/') || prefix.includes('//')) {
    throw invalid('redisDashboard.prefix', "must be a path like '/dashboard' (no trailing slash)")
  }
  const origins = opts.origins ?? []
  if (!Array.isArray(origins) || !origins.every(o => typeof o === 'string' && /^https?:\/\/[^/]+$/.test(o))) {
    throw invalid('redisDashboard.origins', "must be an array of origins like 'https://admin.example.com'")
  }
  return {
    prefix,
    authorize: opts.authorize,
    public: isPublic,
    title: optString('redisDashboard.title', opts.title, 'Redis dashboard'),
    origins: [...origins],
    pageSize: optInt('redisDashboard.pageSize', opts.pageSize, 25, 1, 200),
    redisPrefix: optString('redisDashboard.redisPrefix', opts.redisPrefix, 'frp'),
    statsInterval: optInt('redisDashboard.statsInterval', opts.statsInterval, 5000, 100, 3_600_000)
  }
}

async function redisDashboardPlugin (fastify: FastifyInstance, opts: RedisDashboardOptions): Promise<void> {
  const o = normalize(opts)
  const sources = collectSources(fastify)
  const csrf = csrfGuard(o.prefix, o.origins)
  const flashes: Flashes = new Map()
  const ctx: DashboardContext = {
    prefix: o.prefix,
    title: o.title,
    pageSize: o.pageSize,
    sources,
    csrf,
    flashes,
    pageContext (request, reply) {
      const done = (request.query as { done?: unknown } | undefined)?.done
      return {
        prefix: o.prefix,
        title: o.title,
        csrf: csrf.token(request, reply),
        sections: sources.sections(),
        flash: typeof done === 'string' ? flashes.get(done) : undefined
      }
    },
    sendPage (reply, pctx, section, heading, body) {
      return reply.type('text/html; charset=utf-8').send(render(page(pctx, section, heading, body)))
    }
  }

  await fastify.register(async scope => {
    if (o.authorize !== undefined) scope.addHook('onRequest', o.authorize as never)
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('x-frame-options', 'DENY')
        .header('referrer-policy', 'same-origin')
        .header('cross-origin-opener-policy', 'same-origin')
        .header('cross-origin-resource-policy', 'same-origin')
      if (reply.getHeader('cache-control') === undefined) reply.header('cache-control', 'no-store')
      return payload
    })
    // Every change: CSRF checks after the body is parsed, before it is validated.
    scope.addHook('preValidation', async request => {
      if (request.method !== 'GET' && request.method !== 'HEAD') csrf.check(request)
    })
    if (!scope.hasContentTypeParser('application/x-www-form-urlencoded')) {
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)))
      })
    }
    scope.setErrorHandler(async (err: FastifyError, request, reply) => {
      const status = err.statusCode !== undefined && err.statusCode >= 400 ? err.statusCode : 500
      if (status >= 500) request.log.error({ err }, 'dashboard: request failed')
      const config = request.routeOptions.config as { dashboardHtml?: boolean }
      const message = status >= 500 && err.code === undefined ? 'Internal error (see the server log)' : err.message
      reply.code(status)
      // A page's error is a page for a browser (it asks for HTML); a script gets the JSON error.
      const wantsHtml = config.dashboardHtml === true && (request.headers.accept ?? '').includes('text/html')
      if (!wantsHtml) return await reply.send({ statusCode: status, code: err.code, error: status >= 500 ? 'Internal Server Error' : 'Error', message })
      const pctx = ctx.pageContext(request, reply)
      return ctx.sendPage(reply, pctx, null, `Error ${status}`, html`<p class="error">${message}</p><p><a href="${o.prefix}/">Back to the dashboard</a></p>`)
    })
    scope.get('/api/csrf', {
      schema: {
        tags: ['dashboard'],
        summary: 'Get a CSRF token',
        description: 'A token (and the cookie it must travel with) for the JSON API\'s POST and DELETE routes: send it back in the `x-csrf-token` header.',
        response: {
          200: { type: 'object', description: 'The token', properties: { token: { type: 'string' }, header: { type: 'string' } } },
          ...errorResponses({ 401: 'Refused by `authorize` (not authenticated)', 403: 'Refused by `authorize`' })
        }
      } as FastifySchema
    }, async (request, reply) => ({ token: csrf.token(request, reply), header: 'x-csrf-token' }))
    assetRoutes(scope)
    overviewRoutes(scope, ctx)
    queueRoutes(scope, ctx)
    leaderboardRoutes(scope, ctx)
    lockRoutes(scope, ctx)
    sessionRoutes(scope, ctx)
    cacheRoutes(scope, ctx, { redisPrefix: o.redisPrefix, interval: o.statsInterval })
    rateLimitRoutes(scope, ctx)
    redisRoutes(scope, ctx)
  }, { prefix: o.prefix })
}

/** The dashboard plugin: `app.register(redisDashboard, { authorize: requireAdmin })`. */
export const redisDashboard = fp(redisDashboardPlugin, {
  name: 'fastify-redis-patterns-dashboard',
  fastify: '5.x'
})

export default redisDashboard

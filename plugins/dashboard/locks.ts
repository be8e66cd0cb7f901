// The locks section: the locks held now (SCAN, never KEYS; Locker.held()), their remaining TTL,
// fencing counter and whether someone waits, and a force-release behind a confirmation.
import type { FastifyInstance, FastifySchema } from 'fastify'
import type { HeldLocks } from '../../lib/lock/held.js'
import { FRP_DASHBOARD_NOT_FOUND } from '../../lib/shared/errors.js'
import { dashboardErrors } from './responses.js'
import { registerAction } from './actions.js'
import { html, path, type Html } from './html.js'
import { actionForm, table, type PageContext } from './layout.js'
import type { DashboardContext } from './context.js'

const tags = ['dashboard']
/** Locks listed per locker: the scan stops there (the page says so). */
const LIMIT = 500

const heldLock = {
  type: 'object',
  properties: {
    key: { type: 'string' },
    ttl: { type: 'integer', description: 'remaining ms' },
    fence: { type: 'integer', nullable: true, description: 'the last fencing token issued for the resource' },
    waited: { type: 'boolean', description: 'a caller waits for it' }
  }
}

function locksView (ctx: PageContext, lockers: Array<{ index: number, prefix: string, held: HeldLocks }>): Html {
  return html`${lockers.map(l => html`<section><h2>Locker ${l.index + 1} <small>(prefix ${l.prefix})</small></h2>
${table(['Lock', 'Remaining TTL', 'Fencing counter', 'Waited for', ''], l.held.locks.map(k => [
  k.key, k.ttl < 0 ? 'no expiry' : `${(k.ttl / 1000).toFixed(1)} s`, k.fence ?? '—', k.waited ? 'yes' : 'no',
  actionForm(ctx, path(ctx.prefix, 'locks', 'release'), 'Force release', { hidden: { locker: l.index, key: k.key }, danger: true, confirm: 'The holder may still be running' })
]), 'No lock is held.')}
${l.held.truncated ? html`<p class="empty">Only the first ${LIMIT} locks are listed.</p>` : ''}</section>`)}
<p class="empty">Found with SCAN. A force-release deletes the lock and wakes its waiters; the holder is not told, and its fencing token keeps its late writes out of a resource that checks it.</p>`
}

export function lockRoutes (scope: FastifyInstance, ctx: DashboardContext): void {
  const all = async (): Promise<Array<{ index: number, prefix: string, held: HeldLocks }>> =>
    await Promise.all(ctx.sources.lockers.map(async (l, index) => ({ index, prefix: l.options.prefix, held: await l.held({ limit: LIMIT }) })))

  scope.get('/locks', { schema: { hide: true } as never, config: { dashboardHtml: true } as never }, async (request, reply) => {
    const pctx = ctx.pageContext(request, reply)
    return ctx.sendPage(reply, pctx, 'locks', 'Locks', locksView(pctx, await all()))
  })

  scope.get('/api/locks', {
    schema: {
      tags,
      summary: 'Locks held now',
      description: `Per locker, the locks held now (SCAN, never KEYS; at most ${LIMIT}), with their remaining TTL and fencing counter.`,
      response: {
        200: {
          type: 'object',
          description: 'The lockers and their locks',
          properties: {
            lockers: {
              type: 'array',
              items: { type: 'object', properties: { index: { type: 'integer' }, prefix: { type: 'string' }, held: { type: 'object', properties: { locks: { type: 'array', items: heldLock }, truncated: { type: 'boolean' } } } } }
            }
          }
        },
        ...dashboardErrors()
      }
    } as FastifySchema
  }, async () => ({ lockers: await all() }))

  registerAction<Record<string, never>, { locker: number, key: string }>(scope, ctx.flashes, {
    id: 'lock-release',
    path: '/locks/release',
    done: 'Lock released.',
    summary: 'Force-release a lock',
    description: 'Deletes lock `key` of locker `locker` (its index in GET api/locks) whoever holds it, and wakes its waiters.',
    tags,
    params: {},
    body: { properties: { locker: { type: 'integer', minimum: 0, maximum: 1000 }, key: { type: 'string', minLength: 1, maxLength: 1024 } }, required: ['locker', 'key'] },
    confirm: 'The holder may still be running',
    errors: { 404: 'No such locker (FRP_DASHBOARD_NOT_FOUND)', 415: 'The body\'s content type has no parser' },
    run: async req => {
      const locker = ctx.sources.lockers[req.body.locker]
      if (locker === undefined) throw new FRP_DASHBOARD_NOT_FOUND('locker', String(req.body.locker))
      const released = await locker.forceRelease(req.body.key)
      return { back: path(ctx.prefix, 'locks'), result: { released } }
    }
  })
}

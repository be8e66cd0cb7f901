// What the dashboard shows: the cores the app's pattern plugins announce (plugins/shared/cores.ts,
// the mechanism the metrics plugin uses too), collected as they appear, whatever the order of
// registration and however late a queue or board is made.
import type { FastifyInstance } from 'fastify'
import { watchCores, type Cores } from '../shared/cores.js'
import type { SectionId } from './layout.js'

export interface Sources {
  readonly queues: Map<string, Cores['queue']>
  readonly leaderboards: Map<string, Cores['leaderboard']>
  readonly lockers: Array<Cores['locker']>
  readonly sessions: Array<Cores['sessions']>
  readonly caches: Array<Cores['cache']>
  readonly routeCaches: Array<Cores['routeCache']>
  readonly rateLimiters: Array<Cores['rateLimiter']>
  readonly rateLimitRoutes: Array<Cores['rateLimitRoute']>
  /** The sections to show now (Redis always). */
  sections: () => SectionId[]
}

/** Starts collecting the app's cores; stops when the app closes. */
export function collectSources (fastify: FastifyInstance): Sources {
  const s: Sources = {
    queues: new Map(),
    leaderboards: new Map(),
    lockers: [],
    sessions: [],
    caches: [],
    routeCaches: [],
    rateLimiters: [],
    rateLimitRoutes: [],
    sections () {
      const out: SectionId[] = []
      if (s.queues.size > 0) out.push('queues')
      if (s.leaderboards.size > 0) out.push('leaderboards')
      if (s.lockers.length > 0) out.push('locks')
      if (s.sessions.length > 0) out.push('sessions')
      if (s.caches.length > 0 || s.routeCaches.length > 0) out.push('cache')
      if (s.rateLimiters.length > 0) out.push('rate-limits')
      out.push('redis')
      return out
    }
  }
  const undo = [
    watchCores(fastify, 'queue', q => { if (!s.queues.has(q.name)) s.queues.set(q.name, q) }),
    watchCores(fastify, 'leaderboard', b => { if (!s.leaderboards.has(b.board.name)) s.leaderboards.set(b.board.name, b) }),
    watchCores(fastify, 'locker', l => { s.lockers.push(l) }),
    watchCores(fastify, 'sessions', x => { s.sessions.push(x) }),
    watchCores(fastify, 'cache', c => { s.caches.push(c) }),
    watchCores(fastify, 'routeCache', c => { s.routeCaches.push(c) }),
    watchCores(fastify, 'rateLimiter', r => { s.rateLimiters.push(r) }),
    watchCores(fastify, 'rateLimitRoute', r => { s.rateLimitRoutes.push(r) })
  ]
  fastify.addHook('onClose', async () => { for (const u of undo) u() })
  return s
}

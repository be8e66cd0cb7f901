// What every section's routes get from the plugin (plugins/dashboard.ts makes it once).
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CsrfGuard } from './csrf.js'
import type { Sources } from './sources.js'
import type { Flashes } from './actions.js'
import type { Html } from './html.js'
import type { PageContext, SectionId } from './layout.js'

export interface DashboardContext {
  readonly prefix: string
  readonly title: string
  readonly pageSize: number
  readonly sources: Sources
  readonly csrf: CsrfGuard
  readonly flashes: Flashes
  /** The page frame's context for `request` (its CSRF token, the sections, a flash message). */
  pageContext: (request: FastifyRequest, reply: FastifyReply) => PageContext
  /** Sends `body` in the page frame as text/html. */
  sendPage: (reply: FastifyReply, ctx: PageContext, section: SectionId | null, heading: string, body: Html) => FastifyReply
}

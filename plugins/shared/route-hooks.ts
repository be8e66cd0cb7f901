// The authentication hooks a plugin's HTTP routes accept. `onRequest` runs before the body is
// parsed and validated, so an anonymous or unauthorised client is refused (401/403) without
// learning whether its input was valid and without the plugin doing any work for it; `preHandler`
// runs after validation, for checks that need the validated input.
import type { onRequestHookHandler, preHandlerHookHandler } from 'fastify'
import { invalid } from '../../lib/shared/options.js'

export interface RouteHookOptions {
  /** Hook(s) run before parsing and validation: put authentication here. */
  onRequest?: onRequestHookHandler | onRequestHookHandler[]
  /** Hook(s) run after validation, for checks that need the validated params or body. */
  preHandler?: preHandlerHookHandler | preHandlerHookHandler[]
}

export interface RouteHooks {
  onRequest?: onRequestHookHandler[]
  preHandler?: preHandlerHookHandler[]
}

function hookList<H> (where: string, value: unknown): H[] | undefined {
  if (value === undefined) return undefined
  const list: unknown[] = Array.isArray(value) ? value : [value]
  list.forEach((h, i) => {
    if (typeof h !== 'function') throw invalid(Array.isArray(value) ? `${where}[${i}]` : where, 'must be a function or an array of functions')
  })
  return list.length === 0 ? undefined : list as H[]
}

/** The route options to spread into each protected route, validated once at registration. */
export function routeHooks (where: string, r: RouteHookOptions): RouteHooks {
  const out: RouteHooks = {}
  const onRequest = hookList<onRequestHookHandler>(`${where}.onRequest`, r.onRequest)
  const preHandler = hookList<preHandlerHookHandler>(`${where}.preHandler`, r.preHandler)
  if (onRequest !== undefined) out.onRequest = onRequest
  if (preHandler !== undefined) out.preHandler = preHandler
  return out
}

// Every change the dashboard makes is declared once as an action and served twice:
// - `POST <prefix>/api/<path>` for scripts: JSON in and out, token in the x-csrf-token header;
// - `POST <prefix>/<path>` for the pages' forms: form fields in, a 303 redirect back to the page
//   out (so every action works with JavaScript disabled), errors as an HTML page.
// Both pass the CSRF guard (the scope's preValidation hook) and the same schema.
import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify'
import { FRP_DASHBOARD_CONFIRM } from '../../lib/shared/errors.js'
import { errorResponses, REDIS_DOWN, type ErrorCases } from '../shared/route-responses.js'
import { query } from './html.js'
import { CSRF_FIELD } from './csrf.js'

export interface ActionOutcome {
  /** Where the form's redirect goes (a dashboard page path). */
  back: string
  /** What the JSON API answers besides `ok` and `message`. */
  result?: Record<string, unknown>
}

export interface Action<P, B> {
  /** Names the action in the flash message of the page it returns to. */
  id: string
  /** Path below the prefix (and below /api for the JSON route), with :params. */
  path: string
  /** The message shown after the action, a fixed text. */
  done: string
  summary: string
  description: string
  tags: string[]
  params: Record<string, unknown>
  /** Properties of the body (form fields or JSON); `required` lists the required ones. */
  body?: { properties: Record<string, unknown>, required?: string[] }
  /** Label of the required "I am sure" checkbox of the form (the JSON API needs no confirmation). */
  confirm?: string
  /** Error statuses the action can answer besides 400, 401/403 (authorize), 403 (CSRF) and 503. */
  errors: ErrorCases
  run: (request: FastifyRequest<{ Params: P, Body: B }>) => Promise<ActionOutcome>
}

const jsonOutcome = {
  type: 'object',
  description: 'The action was done',
  properties: {
    ok: { type: 'boolean' },
    message: { type: 'string' },
    result: { type: 'object', additionalProperties: true }
  }
}

/** The flash texts of the actions, by id (pages show only these, never text from the URL). */
export type Flashes = Map<string, string>

export function registerAction<P, B> (scope: FastifyInstance, flashes: Flashes, a: Action<P, B>): void {
  flashes.set(a.id, a.done)
  const bodyProps = a.body?.properties ?? {}
  const errors = errorResponses({
    400: 'Invalid params or body (schema validation: the message names the field), or a refused value',
    401: 'Refused by `authorize` (not authenticated)',
    403: 'Refused by `authorize`, or a cross-site request (FRP_DASHBOARD_CSRF)',
    503: REDIS_DOWN,
    ...a.errors
  })
  const jsonSchema = {
    tags: a.tags,
    summary: a.summary,
    description: a.description + ' Needs the CSRF token in the `x-csrf-token` header (GET api/csrf).',
    params: { type: 'object', properties: a.params, required: Object.keys(a.params) },
    ...(a.body === undefined ? {} : { body: { type: 'object', properties: bodyProps, required: a.body.required ?? [] } }),
    response: { 200: jsonOutcome, ...errors }
  } as FastifySchema
  scope.post<{ Params: P, Body: B }>('/api' + a.path, { schema: jsonSchema }, async request => {
    const out = await a.run(request)
    return { ok: true, message: a.done, result: out.result ?? {} }
  })

  const formSchema = {
    hide: true,
    params: jsonSchema.params,
    body: {
      type: 'object',
      properties: { ...bodyProps, [CSRF_FIELD]: { type: 'string' }, confirm: { type: 'string', enum: ['yes'] } },
      required: a.body?.required ?? []
    }
  } as FastifySchema
  scope.post<{ Params: P, Body: B }>(a.path, { schema: formSchema, config: { dashboardHtml: true } as never }, async (request, reply) => {
    if (a.confirm !== undefined && (request.body as { confirm?: string } | undefined)?.confirm !== 'yes') throw new FRP_DASHBOARD_CONFIRM(a.confirm)
    const out = await a.run(request)
    const [pathOnly, existing] = out.back.split('?')
    const q = new URLSearchParams(existing)
    q.set('done', a.id)
    return await reply.redirect(pathOnly + query(Object.fromEntries(q)), 303)
  })
}

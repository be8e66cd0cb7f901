// Numbers that a route schema's `type: integer|number` accepts unless it also bounds them, sent to
// every numeric field of every route an app declares. Regression for issue 15 item 4:
// `PUT /api/products/1e309` answered 500 SQLITE_MISMATCH, `GET /queues/q/jobs?offset=1e300` a 500
// from Redis ("ERR value is not an integer or out of range").
import type { FastifyInstance, InjectOptions, RouteOptions } from 'fastify'

/** Spellings an attacker sends: each must be a 4xx naming the field, never a 500. */
export const HOSTILE_NUMBERS: readonly string[] = [
  '1e309', 'Infinity', '-Infinity', '1e20', '9223372036854775808', String(2 ** 53 + 1), '1e300', 'NaN', '-1e309'
]

export interface NumericField {
  method: string
  url: string
  part: 'params' | 'querystring' | 'body'
  /** Property path inside the part, e.g. ['opts', 'delay']. */
  path: string[]
}

type Schema = Record<string, unknown> & { type?: unknown, properties?: Record<string, Schema>, anyOf?: Schema[], oneOf?: Schema[], items?: Schema }

function isNumeric (s: Schema): boolean {
  const types = Array.isArray(s.type) ? s.type : [s.type]
  return types.includes('integer') || types.includes('number')
}

function walk (s: Schema | undefined, path: string[], out: string[][]): void {
  if (s === undefined || s === null || typeof s !== 'object') return
  if (isNumeric(s)) out.push(path)
  for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) walk(alt, path, out)
  if (s.properties !== undefined) for (const [k, v] of Object.entries(s.properties)) walk(v, [...path, k], out)
}

/** Collects the numeric fields of every route registered after this call (use before `ready`). */
export function collectNumericFields (app: FastifyInstance): NumericField[] {
  const fields: NumericField[] = []
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter(m => m !== 'HEAD')
    const schema = route.schema as Record<string, Schema> | undefined
    if (schema === undefined) return
    for (const part of ['params', 'querystring', 'body'] as const) {
      const found: string[][] = []
      walk(schema[part], [], found)
      for (const path of found) {
        if (path.length === 0) continue
        for (const method of methods) fields.push({ method, url: route.url, part, path })
      }
    }
  })
  return fields
}

/** A request that puts `value` into `field`, other parts filled with `base`'s values. */
export function attackRequest (field: NumericField, value: string, base: { params?: Record<string, string>, body?: Record<string, unknown>, headers?: Record<string, string> } = {}): InjectOptions {
  let url = field.url
  const params = { ...(base.params ?? {}) }
  if (field.part === 'params') params[field.path[0]] = value
  url = url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? '1'))
  let body: unknown = base.body
  if (field.part === 'querystring') url += (url.includes('?') ? '&' : '?') + encodeURIComponent(field.path[0]) + '=' + encodeURIComponent(value)
  let payload: string | undefined
  if (field.part === 'body') {
    body = structuredClone(base.body ?? {})
    let at = body as Record<string, unknown>
    for (const k of field.path.slice(0, -1)) {
      if (typeof at[k] !== 'object' || at[k] === null) at[k] = {}
      at = at[k] as Record<string, unknown>
    }
    at[field.path[field.path.length - 1]] = RAW
    // JSON cannot spell Infinity or NaN: send them as strings (Ajv's coercion sees the same text a
    // path or query parameter would carry); numbers go out as raw JSON number literals.
    const literal = /^-?[0-9.e+]+$/i.test(value) ? value : JSON.stringify(value)
    payload = JSON.stringify(body).replace(JSON.stringify(RAW), literal)
  }
  const headers: Record<string, string> = { ...(base.headers ?? {}) }
  if (payload !== undefined) headers['content-type'] = 'application/json'
  return { method: field.method as InjectOptions['method'], url, headers, payload }
}

const RAW = '\u0000frp-attack-value\u0000'

/** Values in range but oddly spelled: any status below 500 is fine (no crash, no corrupt data). */
export const ODD_NUMBERS: readonly string[] = ['-0', '0x1', '1.0', '+1', '01']

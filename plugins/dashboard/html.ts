// HTML built so that forgetting to escape is hard: the `html` tag escapes every interpolated
// value unless it is already Html (made by `html` itself or by `trusted`, for a fixed string of
// this package). Job data, member ids, session metadata and error messages are
// attacker-controlled: they only ever reach a page through this tag.

const kHtml = Symbol('frp.html')

/** A piece of HTML safe to send as is. */
export interface Html { readonly [kHtml]: string }

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' }

/** Escapes `s` for an HTML text node or a quoted attribute value. */
export function escapeHtml (s: string): string {
  return s.replace(/[&<>"'`]/g, c => ESCAPES[c])
}

function wrap (s: string): Html {
  return { [kHtml]: s }
}

function isHtml (v: unknown): v is Html {
  return typeof v === 'object' && v !== null && kHtml in v
}

/** One value as HTML: Html as is, arrays joined, null/undefined/false as nothing, anything else escaped text. */
function part (v: unknown): string {
  if (isHtml(v)) return v[kHtml]
  if (Array.isArray(v)) return v.map(part).join('')
  if (v === null || v === undefined || v === false) return ''
  return escapeHtml(String(v))
}

/** The tag: html`<td>${job.name}</td>` escapes job.name. */
export function html (strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1]
  return wrap(out)
}

/** A fixed string of this package's own markup (never data): the one way around escaping. */
export function trusted (markup: string): Html {
  return wrap(markup)
}

/** The final text of `h`, to send. */
export function render (h: Html): string {
  return h[kHtml]
}

/** A URL path built from segments, each percent-encoded (a job id may hold '/', '?' or '#'). */
export function path (base: string, ...segments: Array<string | number>): string {
  return base + segments.map(s => '/' + encodeURIComponent(String(s))).join('')
}

/** A query string from `params` (undefined and null left out), '' when empty. */
export function query (params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) q.set(k, String(v))
  const s = q.toString()
  return s === '' ? '' : '?' + s
}

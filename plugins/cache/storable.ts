// Whether a response may be stored by the route cache, read from its own headers the way a
// shared HTTP cache reads them (RFC 9111 §3): `Cache-Control: no-store`, `private` and
// `no-cache` keep it out (a shared cache must not store or reuse without revalidation, and we
// never revalidate), and `Vary` names the request headers the stored copy is valid for.

type Headers = Record<string, number | string | string[] | undefined>

export type Storability =
  | { store: true }
  | { store: false, reason: string, vary?: string[] }

const REFUSING_DIRECTIVES = ['no-store', 'private', 'no-cache']

function list (v: number | string | string[] | undefined): string[] {
  if (v === undefined) return []
  const s = Array.isArray(v) ? v.join(',') : String(v)
  return s.split(',').map(p => p.trim().toLowerCase()).filter(p => p !== '')
}

/** The request headers a response varies on (lower case), `['*']` for `Vary: *`. */
export function varyOf (headers: Headers): string[] {
  return list(headers.vary)
}

/** Reads the response's Cache-Control and Vary against the headers the key covers. */
export function storability (headers: Headers, uncovered: (vary: string[]) => string[]): Storability {
  for (const directive of list(headers['cache-control'])) {
    // `private="x"` and `no-cache="x"` name fields, but a shared cache still must not reuse blindly.
    const name = directive.split('=')[0].trim()
    if (REFUSING_DIRECTIVES.includes(name)) return { store: false, reason: `cache-control: ${name}` }
  }
  const vary = varyOf(headers)
  if (vary.includes('*')) return { store: false, reason: 'vary: *' }
  const missing = uncovered(vary)
  if (missing.length > 0) return { store: false, reason: `vary: ${missing.join(', ')} not in the key`, vary: missing }
  return { store: true }
}

// Route response entries: what the route cache stores for one response, how its key is built,
// and ETag / If-None-Match handling. Framework-free (plain objects), so it is testable alone.
import { createHash } from 'node:crypto'

/** A cached HTTP response. Short field names: this is what goes to Redis for every route entry. */
export interface StoredResponse {
  /** Status code (2xx). */
  s: number
  /** Response headers worth replaying. */
  h: Record<string, string | string[]>
  /** Body: text, or base64 when `b64`. */
  b: string
  b64?: 1
  /** Entity tag. */
  e: string
}

// Never replayed: per-connection, per-response or recomputed headers, and the per-request ones
// that hooks set again on every request, hits included (a stored `RateLimit: r=99` replayed on
// every hit showed clients a quota that never moved).
const SKIP = new Set(['set-cookie', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date',
  'x-cache', 'age', 'proxy-connection', 'upgrade', 'trailer', 'retry-after'])

/** True for headers that describe this request rather than the resource: never stored. */
export function isPerRequestHeader (name: string, extra?: ReadonlySet<string>): boolean {
  return SKIP.has(name) || name.startsWith('ratelimit') || name.startsWith('x-ratelimit') || (extra?.has(name) ?? false)
}

type Headers = Record<string, number | string | string[] | undefined>

/** Builds the entry to store, or null when the response must not be cached. */
export function toStoredResponse (status: number, headers: Headers, payload: unknown, uncached?: ReadonlySet<string>): StoredResponse | null {
  if (status < 200 || status > 299 || headers['set-cookie'] !== undefined) return null
  let b: string
  let b64: 1 | undefined
  if (typeof payload === 'string') b = payload
  else if (Buffer.isBuffer(payload)) { b = payload.toString('base64'); b64 = 1 } else if (payload === undefined || payload === null) b = ''
  else return null // a stream: not buffered for caching
  const h: Record<string, string | string[]> = {}
  for (const name in headers) {
    const v = headers[name]
    if (v === undefined || isPerRequestHeader(name, uncached)) continue
    h[name] = typeof v === 'number' ? String(v) : v
  }
  // The entity tag is kept once, in `e` (sent as the ETag header on every hit).
  let e = typeof h.etag === 'string' ? h.etag : ''
  delete h.etag
  if (e === '') e = 'W/"' + createHash('sha1').update(b).digest('base64url').slice(0, 27) + '"'
  const r: StoredResponse = { s: status, h, b, e }
  if (b64 !== undefined) r.b64 = b64
  return r
}

/**
 * The stored form of a response: a plain string, so the codec's string fast path applies and the
 * body is neither escaped nor parsed as JSON:
 *   <status>\n<etag>\n<0|1 base64>\n<headers JSON>\n<body>
 */
export function encodeResponse (r: StoredResponse): string {
  return `${r.s}\n${r.e}\n${r.b64 === 1 ? 1 : 0}\n${JSON.stringify(r.h)}\n${r.b}`
}

/** Reverses encodeResponse; undefined when `v` is not a stored response (read as a miss). */
export function decodeResponse (v: unknown): StoredResponse | undefined {
  if (typeof v !== 'string') return undefined
  const a = v.indexOf('\n')
  const b = v.indexOf('\n', a + 1)
  const c = v.indexOf('\n', b + 1)
  const d = v.indexOf('\n', c + 1)
  if (a < 0 || b < 0 || c < 0 || d < 0) return undefined
  const s = Number(v.slice(0, a))
  if (!(s >= 200 && s <= 299)) return undefined
  let h: Record<string, string | string[]>
  try {
    h = JSON.parse(v.slice(c + 1, d))
  } catch {
    return undefined
  }
  if (typeof h !== 'object' || h === null) return undefined
  const r: StoredResponse = { s, h, b: v.slice(d + 1), e: v.slice(a + 1, b) }
  if (v.charCodeAt(b + 1) === 49) r.b64 = 1
  return r
}

export function bodyOf (r: StoredResponse): string | Buffer {
  return r.b64 === 1 ? Buffer.from(r.b, 'base64') : r.b
}

/** True when an If-None-Match header matches `etag` (weak comparison, RFC 9110 §13.1.2). */
export function etagMatches (ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true
  const strip = (t: string): string => t.startsWith('W/') ? t.slice(2) : t
  const mine = strip(etag)
  for (const part of ifNoneMatch.split(',')) if (strip(part.trim()) === mine) return true
  return false
}

/** True when a stored value has the shape of a StoredResponse (anything else is read as a miss). */
export function isStoredResponse (v: unknown): v is StoredResponse {
  const r = v as StoredResponse
  return typeof r === 'object' && r !== null && typeof r.s === 'number' && typeof r.b === 'string' && typeof r.e === 'string' && typeof r.h === 'object'
}

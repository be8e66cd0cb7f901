// What the route cache tells downstream caches (browsers, CDNs, proxies) through `Cache-Control`,
// and whether a request asks to skip the stored copy. One header string per route, built once at
// registration: `max-age` is the route's freshness lifetime, not what is left of it, because every
// response also carries `Age` and a downstream cache subtracts that itself (RFC 9111 §4.2.3);
// sending the remainder as well would count the age twice.
import { invalid, optBool, optDuration, rejectUnknown, type Duration } from '../../lib/shared/options.js'

export interface RouteCacheControl {
  /** `max-age` (default: the route's ttl). Lower it to make browsers revalidate sooner (a 304 from L1 is cheap). */
  maxAge?: Duration
  /** `s-maxage` for shared caches only (default: not sent; shared caches then use `max-age`). */
  sMaxAge?: Duration
  /** Send `private` instead of `public` (default: private when the route varies on `authorization` or `cookie`). */
  private?: boolean
}

/** The `Cache-Control` value a route sends with the responses its cache stored, or null. */
export function cacheControlHeader (where: string, config: unknown, route: { ttl: number, staleWhileRevalidate: number, personal: boolean }): string | null {
  if (config === undefined || config === false) return null
  if (config !== true && (typeof config !== 'object' || config === null || Array.isArray(config))) {
    throw invalid(where, 'must be a boolean or an object { maxAge?, sMaxAge?, private? }')
  }
  const c: RouteCacheControl = config === true ? {} : config as RouteCacheControl
  if (config !== true) rejectUnknown(where, c, ['maxAge', 'sMaxAge', 'private'])
  // Downstream copies cannot be invalidated from here (tags and keys reach only our entries), so
  // they must never outlive ours: a lifetime above the route's ttl is refused rather than sent.
  const limit = `must not exceed the route's ttl (${route.ttl} ms): a downstream cache would keep the response longer than this cache does, out of reach of invalidation`
  const maxAge = optDuration(`${where}.maxAge`, c.maxAge, route.ttl)
  if (maxAge > route.ttl) throw invalid(`${where}.maxAge`, limit)
  const sMaxAge = c.sMaxAge === undefined ? undefined : optDuration(`${where}.sMaxAge`, c.sMaxAge, 0)
  if (sMaxAge !== undefined && sMaxAge > route.ttl) throw invalid(`${where}.sMaxAge`, limit)
  const personal = optBool(`${where}.private`, c.private, route.personal)
  // A response keyed on credentials is one user's: shared caches must not keep it at all.
  if (personal && sMaxAge !== undefined) throw invalid(`${where}.sMaxAge`, 'has no meaning on a private response (shared caches must not store it)')
  const parts = [personal ? 'private' : 'public', `max-age=${seconds(maxAge)}`]
  if (sMaxAge !== undefined) parts.push(`s-maxage=${seconds(sMaxAge)}`)
  // Our own stale window, told downstream too, so a CDN may also answer while we refresh.
  if (route.staleWhileRevalidate > 0 && maxAge === route.ttl) parts.push(`stale-while-revalidate=${seconds(route.staleWhileRevalidate)}`)
  return parts.join(', ')
}

function seconds (ms: number): number {
  return Math.floor(ms / 1000)
}

/**
 * True when a request asks for a response from the origin: `Cache-Control: no-cache` or
 * `max-age=0`, or `Pragma: no-cache` when there is no Cache-Control (RFC 9111 §5.4).
 */
export function asksForOrigin (headers: Record<string, string | string[] | undefined>): boolean {
  const cc = headers['cache-control']
  if (cc === undefined) return /(^|[\s,])no-cache($|[\s,])/i.test(String(headers.pragma ?? ''))
  for (const part of String(cc).toLowerCase().split(',')) {
    const d = part.trim()
    if (d === 'no-cache' || d.startsWith('no-cache=') || d === 'max-age=0') return true
  }
  return false
}

// Client addresses for rate limiting: the default key, and allow-list matching.
//
// Default key: the client address. An IPv6 client usually controls a whole /64 (one subscriber,
// many addresses), so IPv6 addresses are grouped by their first 64 bits; otherwise one client
// could rotate addresses to get a fresh quota for each. The /64 is written canonically (RFC 5952:
// lower case, no leading zeros, the zero run compressed), so every spelling of an address gives
// the same key, and the key reads like the prefix an operator would write.
//
// Allow lists: entries that are IP addresses or CIDR ranges, in any valid spelling, match the
// client address canonically (an IPv4-mapped IPv6 address is its IPv4 address); other entries are
// keys, matched as they are.
import ipaddr from 'ipaddr.js'

/** `ip` itself for IPv4, the IPv4 part of an IPv4-mapped IPv6 address, or the canonical `<prefix>::/64`. */
// Hand-written rather than through ipaddr.js (used below for allow lists, at registration and
// only when a list holds addresses): this runs on every request of an IPv6 client, and ipaddr.js
// parses an IPv6 address in about 3 µs, five times this function's cost.
export function ipKey (ip: string): string {
  if (ip.indexOf(':') === -1) return ip
  const lower = ip.toLowerCase()
  if (lower.startsWith('::ffff:') && lower.indexOf('.') !== -1) return lower.slice(7)
  const zone = lower.indexOf('%')
  const addr = zone === -1 ? lower : lower.slice(0, zone)
  const gap = addr.indexOf('::')
  let groups: string[]
  if (gap === -1) {
    groups = addr.split(':')
  } else {
    const left = gap === 0 ? [] : addr.slice(0, gap).split(':')
    const right = gap + 2 >= addr.length ? [] : addr.slice(gap + 2).split(':')
    // A dotted IPv4 tail (`::1.2.3.4`) stands for two groups.
    const rightGroups = right.length + (right.length > 0 && right[right.length - 1].indexOf('.') !== -1 ? 1 : 0)
    groups = [...left, ...new Array<string>(Math.max(0, 8 - left.length - rightGroups)).fill('0'), ...right]
  }
  // The last four groups are zero, so the zero run RFC 5952 compresses is the one at the end
  // (a run inside the first four is at most three long): keep the groups up to the last non-zero.
  const head: string[] = []
  let kept = 0
  for (let i = 0; i < 4; i++) {
    const n = parseInt(groups[i] ?? '0', 16)
    head.push(Number.isNaN(n) ? '0' : n.toString(16))
    if (n > 0) kept = i + 1
  }
  return (kept === 0 ? '' : head.slice(0, kept).join(':')) + '::/64'
}

type Address = ipaddr.IPv4 | ipaddr.IPv6

/** The address as compared: IPv4-mapped IPv6 addresses become IPv4. Null when `ip` is not an address. */
function canonical (ip: string): Address | null {
  try {
    return ipaddr.process(ip)
  } catch {
    return null
  }
}

/** An entry that looks like an address or a range (digits, hex, dots and colons, then maybe a /suffix). */
const ADDRESS_LIKE = /^[0-9a-f:.]+(%[\w.-]+)?(\/.*)?$/i

export interface AllowListMatcher {
  /** Keys listed as they are. */
  keys: ReadonlySet<string>
  /** True when `ip` is one of the listed addresses or inside a listed range; null when none is listed. */
  ip: ((ip: string) => boolean) | null
}

/**
 * Splits allow-list entries into keys and address ranges. Throws a message naming the entry's
 * index for an entry that looks like an address or range but is not a valid one (`10.0.0.0/33`,
 * `300.1.1.1`), so a typo does not quietly become a key no client ever has.
 */
export function allowListMatcher (entries: readonly string[]): AllowListMatcher | { invalid: number, why: string } {
  const keys = new Set<string>()
  const v4: Array<[ipaddr.IPv4, number]> = []
  const v6: Array<[ipaddr.IPv6, number]> = []
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]
    const looksLikeAddress = ADDRESS_LIKE.test(entry) && (entry.includes('.') || entry.includes(':'))
    if (!looksLikeAddress) { keys.add(entry); continue }
    const slash = entry.indexOf('/')
    const addr = canonical(slash === -1 ? entry : entry.slice(0, slash))
    if (addr === null) {
      // A range, a dotted quad or a `::` form is meant as an address: a typo there must not quietly
      // become a key no client has. Anything else (`cafe:babe`) is a key of a custom keyGenerator.
      if (slash !== -1 || /^[\d.]+$/.test(entry) || entry.includes('::')) {
        return { invalid: i, why: `"${entry}" is not a valid IP address or CIDR range` }
      }
      keys.add(entry)
      continue
    }
    let bits = addr.kind() === 'ipv4' ? 32 : 128
    if (slash !== -1) {
      const text = entry.slice(slash + 1)
      const written = /^\d{1,3}$/.test(text) ? Number(text) : NaN
      // An IPv4-mapped range (::ffff:10.0.0.0/104) becomes the IPv4 range it maps (10.0.0.0/8).
      const mapped = addr.kind() === 'ipv4' && entry.includes(':')
      bits = mapped ? written - 96 : written
      if (!Number.isInteger(bits) || bits < 0 || bits > (addr.kind() === 'ipv4' ? 32 : 128)) {
        return { invalid: i, why: `"${entry}" has an invalid prefix length` }
      }
    }
    if (addr.kind() === 'ipv4') v4.push([addr as ipaddr.IPv4, bits])
    else v6.push([addr as ipaddr.IPv6, bits])
  }
  const ip = v4.length + v6.length === 0
    ? null
    : (client: string): boolean => {
        const a = canonical(client)
        if (a === null) return false
        if (a.kind() === 'ipv4') return v4.some(([range, bits]) => (a as ipaddr.IPv4).match(range, bits))
        return v6.some(([range, bits]) => (a as ipaddr.IPv6).match(range, bits))
      }
  return { keys, ip }
}

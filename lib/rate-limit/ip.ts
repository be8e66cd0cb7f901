// Default rate-limit key: the client address. An IPv6 client usually controls a whole /64 (one
// subscriber, many addresses), so IPv6 addresses are grouped by their first 64 bits; otherwise
// one client could rotate addresses to get a fresh quota for each.

/** `ip` itself for IPv4, the IPv4 part of an IPv4-mapped IPv6 address, or `<first 4 hextets>::/64`. */
export function ipKey (ip: string): string {
  if (ip.indexOf(':') === -1) return ip
  const lower = ip.toLowerCase()
  if (lower.startsWith('::ffff:') && lower.indexOf('.') !== -1) return lower.slice(7)
  const zone = lower.indexOf('%')
  const addr = zone === -1 ? lower : lower.slice(0, zone)
  const gap = addr.indexOf('::')
  let head: string[]
  if (gap === -1) {
    head = addr.split(':')
  } else {
    const left = gap === 0 ? [] : addr.slice(0, gap).split(':')
    const right = gap + 2 >= addr.length ? [] : addr.slice(gap + 2).split(':')
    const zeros = Math.max(0, 8 - left.length - right.length)
    head = [...left, ...new Array<string>(zeros).fill('0'), ...right]
  }
  let out = ''
  for (let i = 0; i < 4; i++) out += (i === 0 ? '' : ':') + (head[i] === undefined || head[i] === '' ? '0' : head[i].replace(/^0+(?=.)/, ''))
  return out + '::/64'
}

// The operator's view of a Locker's locks: which are held now, found with SCAN (never KEYS),
// with their remaining TTL and fencing counter, and a force-release. Lock keys are
// `<prefix>:lock:{<key>}` (their fencing counters `…}:fence` end otherwise, so MATCH leaves them
// out). A Redlock Locker asks each of its masters and reports a lock held on any of them.
import { masters, escapeGlob, type RedisClient } from '../shared/connection.js'
import { callPolicy } from '../shared/call-policy.js'
import { scripts } from './scripts.js'

export interface HeldLock {
  /** The lock's key, as passed to acquire. */
  key: string
  /** Remaining TTL, ms (-1: no expiry, which this package never sets). */
  ttl: number
  /** The resource's fencing counter: the last token issued (null: none yet). */
  fence: number | null
  /** A caller is waiting for it (its acquire failed while it was held). */
  waited: boolean
}

export interface HeldLocks {
  locks: HeldLock[]
  /** True when the scan stopped at `limit`: more may be held. */
  truncated: boolean
}

/** Reverses escapeTag (lib/shared/keys.ts): `%7B` → `{`, `%7D` → `}`, `%25` → `%`. */
function unescapeTag (tag: string): string {
  return tag.replace(/%(7B|7D|25)/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

export async function listHeld (clients: readonly RedisClient[], base: string, timeoutMs: number, limit: number): Promise<HeldLocks> {
  const found = new Map<string, HeldLock>()
  const head = base + ':{'
  let truncated = false
  for (const client of clients) {
    const policy = callPolicy(client, timeoutMs)
    for (const node of masters(client)) {
      let cursor = '0'
      do {
        const [next, keys] = await policy.bound(node.scan(cursor, 'MATCH', `${escapeGlob(base)}:{*}`, 'COUNT', 500)).then(undefined, policy.fail)
        cursor = next
        const fresh = keys.filter(k => k.startsWith(head) && k.endsWith('}') && !found.has(k))
        if (fresh.length > 0) {
          const p = node.pipeline()
          for (const k of fresh) p.get(k).pttl(k).get(k + ':fence')
          const res = await policy.bound(p.exec()).then(undefined, policy.fail) ?? []
          fresh.forEach((k, i) => {
            const [[, v], [, ttl], [, fence]] = [res[i * 3], res[i * 3 + 1], res[i * 3 + 2]]
            if (v === null || v === undefined) return // released meanwhile
            found.set(k, {
              key: unescapeTag(k.slice(head.length, -1)),
              ttl: Number(ttl),
              fence: fence === null || fence === undefined ? null : Number(fence),
              waited: String(v).endsWith('+')
            })
          })
        }
        if (found.size >= limit) { truncated = cursor !== '0' || found.size > limit; break }
      } while (cursor !== '0')
      if (truncated) break
    }
    if (truncated) break
  }
  const locks = [...found.values()].sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0).slice(0, limit)
  return { locks, truncated }
}

/** Deletes `redisKey` on every client whoever holds it; true when some client held it. */
export async function forceRelease (clients: readonly RedisClient[], redisKey: string, channel: string, timeoutMs: number): Promise<boolean> {
  const results = await Promise.all(clients.map(async client => {
    const policy = callPolicy(client, timeoutMs)
    return await policy.bound(scripts.run<number>(client, 'force-release', [redisKey], [channel])).then(undefined, policy.fail)
  }))
  return results.some(r => r === 1)
}

// How many sessions are live: SCAN (never KEYS) for session hashes (`<prefix>:session:{tag}:s:…`)
// on every master, counting up to `max` keys so that a huge keyspace costs a bounded walk. Redis
// expires sessions by TTL, so the count is exact at the time of the scan (up to `max`). For an
// operator's page (cache the answer), never for a request path.
import { escapeGlob, masters, type RedisClient } from '../shared/connection.js'
import { callPolicy } from '../shared/call-policy.js'
import { keySpace } from '../shared/keys.js'

export interface LiveSessionCount {
  /** Session hashes found (at most `max`). */
  count: number
  /** True when the scan stopped at `max`: there are at least `count`. */
  capped: boolean
}

export async function countLiveSessions (redis: RedisClient, prefix: string, { max = 100_000, commandTimeout = 1000 }: { max?: number, commandTimeout?: number } = {}): Promise<LiveSessionCount> {
  const base = keySpace(prefix, 'session').base
  const policy = callPolicy(redis, commandTimeout)
  let count = 0
  for (const node of masters(redis)) {
    let cursor = '0'
    do {
      const [next, keys] = await policy.bound(node.scan(cursor, 'MATCH', `${escapeGlob(base)}:{*}:s:*`, 'COUNT', 1000)).then(undefined, policy.fail)
      cursor = next
      count += keys.length
      if (count >= max) return { count: max, capped: true }
    } while (cursor !== '0')
  }
  return { count, capped: false }
}

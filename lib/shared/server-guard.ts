// Startup check each plugin can call: is this Redis recent enough, and does its eviction policy
// suit the pattern? Locks, sessions and queued jobs silently vanish under allkeys-lru; a cache is
// fine there. Managed services often disable CONFIG: then we say we could not tell, and go on.
import { FRP_REDIS_UNAVAILABLE } from './errors.js'
import { withTimeout } from './call-policy.js'
import { masters, type RedisClient } from './connection.js'
import { optDuration, type Duration } from './options.js'

export interface ServerFacts {
  version: string | null
  maxmemoryPolicy: string | null
  warnings: string[]
}

export interface GuardOptions {
  /** The pattern's name, used in messages. */
  pattern: string
  /** True for patterns whose data must not be evicted (lock, session, queue). */
  needsNoEviction: boolean
  /** Where warnings go (a pino/Fastify logger or console). */
  log?: { warn: (msg: string) => void }
  /** How long to wait for Redis before failing with FRP_REDIS_UNAVAILABLE: ms or a duration string (default 5000). */
  timeout?: Duration
}

const MIN_VERSION = [6, 2]

/**
 * True when `policy` may evict keys of a pattern that must keep them. Every policy but noeviction
 * counts: volatile-* evicts keys with a TTL, and lock, session and queue keys all have one.
 */
export function evicts (policy: string): boolean {
  return policy !== 'noeviction'
}

/** The warning for data of `what` (a pattern, or several) on a Redis whose `policy` evicts. */
export function evictionWarning (what: string, policy: string): string {
  return `Redis maxmemory-policy is "${policy}"; under memory pressure it may evict ${what} data. ` +
    'Use a Redis with maxmemory-policy noeviction for locks, sessions and queues, and a separate one for caches'
}

function olderThan (version: string, min: number[]): boolean {
  const parts = version.split('.').map(Number)
  for (let i = 0; i < min.length; i++) {
    if ((parts[i] ?? 0) !== min[i]) return (parts[i] ?? 0) < min[i]
  }
  return false
}

async function inspect (node: RedisClient): Promise<{ version: string | null, policy: string | null }> {
  const info = await node.info('server')
  const version = /(?:redis|valkey)_version:([^\r\n]+)/.exec(info)?.[1] ?? null
  let policy: string | null = null
  try {
    const reply = await node.config('GET', 'maxmemory-policy') as string[]
    policy = reply[1] ?? null
  } catch {
    // CONFIG disabled or renamed (managed Redis): we cannot tell.
  }
  return { version, policy }
}

export async function checkServer (redis: RedisClient, opts: GuardOptions): Promise<ServerFacts> {
  const timeout = optDuration('checkServer.timeout', opts.timeout, 5000, 1)
  let results
  try {
    results = await withTimeout(Promise.all(masters(redis).map(inspect)), timeout)
  } catch (err) {
    throw new FRP_REDIS_UNAVAILABLE(`${opts.pattern}: ${(err as Error).message}`, { cause: err })
  }
  const warnings: string[] = []
  const { version, policy } = results[0] ?? { version: null, policy: null }
  for (const r of results) {
    if (r.version !== null && olderThan(r.version, MIN_VERSION)) {
      warnings.push(`${opts.pattern}: Redis ${r.version} is older than ${MIN_VERSION.join('.')}; some commands used by this plugin may be missing`)
      break
    }
  }
  for (const r of results) {
    if (opts.needsNoEviction && r.policy !== null && evicts(r.policy)) {
      warnings.push(`${opts.pattern}: ${evictionWarning(opts.pattern, r.policy)}`)
      break
    }
  }
  for (const w of warnings) opts.log?.warn(w)
  return { version, maxmemoryPolicy: policy, warnings }
}

// Watching one Redis client (issue 17 items 3 and 4): a snapshot of its reachability, PING
// latency, memory and eviction policy for health checks and metrics, and the memory watch, which
// logs when memory or the policy endangers the patterns whose data lives there (pitfall 7, "not
// monitoring memory"). Reads INFO, never CONFIG: managed services often disable CONFIG.
import { withTimeout } from './call-policy.js'
import { downError, masters, type RedisClient } from './connection.js'
import { evicts, evictionWarning } from './server-guard.js'
import { invalid, optDuration, optString, rejectUnknown, type Duration } from './options.js'
import type { Redis } from 'ioredis'

export type WatchedPattern = 'cache' | 'rate-limit' | 'session' | 'lock' | 'leaderboard' | 'queue' | 'otp' | 'activity'

export interface RedisSnapshot {
  /** Answered PING within the timeout. */
  up: boolean
  /** PING round trip, seconds (a Cluster: its slowest master's). */
  pingSeconds: number | null
  /** INFO memory used_memory (a Cluster: the sum over its masters). */
  usedMemoryBytes: number | null
  /** INFO memory maxmemory, 0 = no limit (a Cluster: the sum, or 0 when any master has no limit). */
  maxmemoryBytes: number | null
  /** INFO memory maxmemory_policy (a Cluster: null unless every master has the same). */
  maxmemoryPolicy: string | null
  /** INFO stats evicted_keys, a counter (a Cluster: the sum). */
  evictedKeys: number | null
  /** The memory and policy warnings that apply now, as logged. */
  warnings: string[]
  /** Why `up` is false. */
  error?: string
  /** Date.now() of the reading. */
  at: number
}

export interface RedisWatchOptions {
  /** How long one reading may take before the client counts as down (default 1000 ms). */
  timeout?: Duration
  /** How long a reading is reused, so a flood of health checks costs Redis one reading (default 1000 ms). */
  cacheFor?: Duration
  /** Where the memory watch logs (a pino/Fastify logger or console); without it, nothing is logged. */
  log?: { warn: (msg: string) => void, info?: (msg: string) => void }
  /** How often a warning that lasts is logged again (default 1 hour). */
  repeatWarningEvery?: Duration
  /** How often the memory watch reads Redis by itself (default 60 s; 0 = only when snapshot() is called). */
  interval?: Duration
  /** Names the client in logged messages (the plugins pass their registry's name). */
  name?: string
}

/** Used memory above this share of maxmemory is a warning. */
export const MEMORY_HIGH = 0.9

// What patterns lose when keys are evicted: a cache refills itself, a rate limit forgets a few
// counters (and a recent hit), the rest lose data nothing rebuilds.
const NEEDS_KEYS: ReadonlySet<string> = new Set(['lock', 'session', 'queue', 'leaderboard', 'otp', 'activity'])

const OPTIONS = ['timeout', 'cacheFor', 'log', 'repeatWarningEvery', 'interval', 'name']

interface NodeReading { pingMs: number, used: number, max: number, policy: string | null, evicted: number }
interface Reading { up: boolean, nodes: NodeReading[], error?: string, at: number, warnings: Warning[] }
interface Warning { id: string, text: string }

// What the log says when a warning's condition is over, by warning id.
const CLEARED: Record<string, string> = {
  'memory-high': `used memory is back under ${MEMORY_HIGH * 100}% of maxmemory`,
  'no-maxmemory': 'maxmemory is set now',
  'evicting-policy': 'the maxmemory-policy no longer evicts data that must stay'
}

function field (info: string, name: string): string | null {
  return new RegExp(`^${name}:([^\\r\\n]*)`, 'm').exec(info)?.[1] ?? null
}

function num (info: string, name: string): number {
  const v = field(info, name)
  return v === null ? 0 : Number(v)
}

function mib (bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`
}

/** One PING and the two INFO sections, sent together (one write with auto-pipelining). */
async function readNode (node: Redis): Promise<NodeReading> {
  const started = performance.now()
  const ping = node.ping().then(() => performance.now() - started)
  // Two sections, not `INFO memory stats`: Redis 6.2 takes one section per call.
  const [pingMs, memory, stats] = await Promise.all([ping, node.info('memory'), node.info('stats')])
  return {
    pingMs,
    used: num(memory, 'used_memory'),
    max: num(memory, 'maxmemory'),
    policy: field(memory, 'maxmemory_policy'),
    evicted: num(stats, 'evicted_keys')
  }
}

/**
 * Watches one client. snapshot() reads it (cached for `cacheFor`); every fresh reading also feeds
 * the memory watch, which logs each warning when it appears, again every `repeatWarningEvery`
 * while it lasts, and once (info) when it clears. An unreachable Redis changes no warning: what
 * cannot be read has not cleared.
 */
export class RedisWatch {
  readonly #client: RedisClient
  readonly #timeout: number
  readonly #cacheFor: number
  readonly #repeatEvery: number
  readonly #log: RedisWatchOptions['log']
  readonly #prefix: string
  readonly #patterns = new Set<string>()
  /** Warning id → when it was last logged. */
  readonly #logged = new Map<string, number>()
  #last: Reading | null = null
  #inflight: Promise<Reading> | null = null
  #timer: NodeJS.Timeout | null = null

  constructor (client: RedisClient, opts: RedisWatchOptions = {}) {
    rejectUnknown('RedisWatch', opts, OPTIONS)
    this.#client = client
    this.#timeout = optDuration('RedisWatch.timeout', opts.timeout, 1000, 1, 2 ** 31 - 1)
    this.#cacheFor = optDuration('RedisWatch.cacheFor', opts.cacheFor, 1000)
    this.#repeatEvery = optDuration('RedisWatch.repeatWarningEvery', opts.repeatWarningEvery, 3_600_000, 1)
    const interval = optDuration('RedisWatch.interval', opts.interval, 60_000, 0, 2 ** 31 - 1)
    if (opts.log !== undefined && typeof opts.log?.warn !== 'function') throw invalid('RedisWatch.log', 'must have a warn(msg) method')
    this.#log = opts.log
    const name = opts.name === undefined ? undefined : optString('RedisWatch.name', opts.name, '')
    this.#prefix = name === undefined ? 'Redis: ' : `Redis "${name}": `
    if (interval > 0) {
      // A reading also runs the memory watch; snapshot() never rejects.
      this.#timer = setInterval(() => { this.snapshot().catch(() => {}) }, interval)
      this.#timer.unref()
    }
  }

  /** The patterns whose data lives on this client: decides which warnings apply. */
  hold (pattern: WatchedPattern): void {
    this.#patterns.add(pattern)
  }

  get patterns (): ReadonlySet<string> {
    return this.#patterns
  }

  /**
   * One PING and INFO memory + stats (on every master of a Cluster), cached for `cacheFor`;
   * concurrent callers share one reading. Never rejects: a failure is `{ up: false, error }`.
   */
  async snapshot (): Promise<RedisSnapshot> {
    const last = this.#last
    // A cached "up" is stale once the connection is known down (it closed since).
    if (last !== null && Date.now() - last.at < this.#cacheFor && !(last.up && downError(this.#client) !== null)) {
      return this.#describe(last)
    }
    if (this.#inflight === null) {
      this.#inflight = this.#read().then(reading => {
        this.#inflight = null
        this.#last = reading
        if (reading.up) this.#observe(reading.warnings)
        return reading
      })
    }
    return this.#describe(await this.#inflight)
  }

  /** Stops the periodic check. */
  close (): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }

  async #read (): Promise<Reading> {
    const at = Date.now()
    try {
      const down = downError(this.#client)
      if (down !== null) throw down
      const nodes = masters(this.#client)
      if (nodes.length === 0) throw new Error('the Cluster has no connected master')
      const read = await withTimeout(Promise.all(nodes.map(readNode)), this.#timeout)
      // Worked out once per reading: snapshots served from the cache reuse them.
      return { up: true, nodes: read, at, warnings: this.#warnings(read) }
    } catch (err) {
      return { up: false, nodes: [], error: (err as Error).message, at, warnings: [] }
    }
  }

  // A Cluster is reported as one client: memory and evictions summed over its masters, the
  // slowest PING, the policy when all agree. The warnings look at each master, since one full
  // master refuses (or evicts) the writes of its slots whatever the others hold.
  #describe (r: Reading): RedisSnapshot {
    if (!r.up) {
      return { up: false, pingSeconds: null, usedMemoryBytes: null, maxmemoryBytes: null, maxmemoryPolicy: null, evictedKeys: null, warnings: [], error: r.error, at: r.at }
    }
    const policies = new Set(r.nodes.map(n => n.policy))
    return {
      up: true,
      pingSeconds: Math.max(...r.nodes.map(n => n.pingMs)) / 1000,
      usedMemoryBytes: sum(r.nodes.map(n => n.used)),
      maxmemoryBytes: r.nodes.some(n => n.max === 0) ? 0 : sum(r.nodes.map(n => n.max)),
      maxmemoryPolicy: policies.size === 1 ? r.nodes[0].policy : null,
      evictedKeys: sum(r.nodes.map(n => n.evicted)),
      warnings: r.warnings.map(w => w.text),
      at: r.at
    }
  }

  #warnings (nodes: NodeReading[]): Warning[] {
    const out: Warning[] = []
    const fullest = nodes.filter(n => n.max > 0).sort((a, b) => b.used / b.max - a.used / a.max)[0]
    if (fullest !== undefined && fullest.used > MEMORY_HIGH * fullest.max) {
      out.push({
        id: 'memory-high',
        text: `used memory is ${Math.round(fullest.used / fullest.max * 100)}% of maxmemory (${mib(fullest.used)} of ${mib(fullest.max)})` +
          `${nodes.length > 1 ? ' on a Cluster master' : ''}; at 100% Redis evicts keys or refuses writes, by its maxmemory-policy`
      })
    }
    if (this.#patterns.has('cache') && nodes.some(n => n.max === 0)) {
      out.push({
        id: 'no-maxmemory',
        text: 'maxmemory is 0 (no limit) on a Redis that holds cache entries: it grows until the host runs out of memory. ' +
          'Set maxmemory (with an allkeys-* policy on a Redis that only caches)'
      })
    }
    const held = [...this.#patterns].filter(p => NEEDS_KEYS.has(p))
    const evicting = [...new Set(nodes.flatMap(n => n.policy !== null && evicts(n.policy) ? [n.policy] : []))]
    if (held.length > 0 && evicting.length > 0) {
      out.push({ id: 'evicting-policy', text: evictionWarning(held.join(', '), evicting.join('", "')) })
    }
    return out.map(w => ({ id: w.id, text: this.#prefix + w.text }))
  }

  /** Logs what appeared, what lasted past repeatWarningEvery, and what cleared. */
  #observe (warnings: Warning[]): void {
    const now = Date.now()
    for (const w of warnings) {
      const logged = this.#logged.get(w.id)
      if (logged !== undefined && now - logged < this.#repeatEvery) continue
      this.#logged.set(w.id, now)
      this.#log?.warn(w.text)
    }
    for (const id of [...this.#logged.keys()]) {
      if (warnings.some(w => w.id === id)) continue
      this.#logged.delete(id)
      this.#log?.info?.(this.#prefix + CLEARED[id])
    }
  }
}

function sum (values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

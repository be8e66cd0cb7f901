// Startup check of the deployment a client points at. An unreachable Redis is an outage: the
// plugins register anyway and recover by themselves (plugins/shared/startup.ts). A deployment
// that answers but can never serve the patterns is a configuration error, and waiting will not
// fix it: a Sentinel name no Sentinel knows, a Cluster whose slots are not all served, a
// standalone client pointed at a Cluster node or at a read-only replica. Those fail at startup
// with FRP_REDIS_TOPOLOGY naming the problem.
import { Redis, type Cluster } from 'ioredis'
import { FRP_REDIS_TOPOLOGY } from './errors.js'
import { withTimeout } from './call-policy.js'
import { isCluster, type RedisClient } from './client.js'

const ALL_SLOTS = 16384

interface SentinelSettings {
  name?: string
  sentinels?: Array<{ host?: string, port?: number }> | null
  sentinelUsername?: string
  sentinelPassword?: string
}

/**
 * Throws FRP_REDIS_TOPOLOGY when the deployment answers and cannot serve the patterns; resolves
 * when it can, or when it cannot be asked now (unreachable: the startup policy's business).
 */
export async function checkTopology (redis: RedisClient, timeout: number): Promise<void> {
  if (isCluster(redis)) {
    await checkCluster(redis, timeout)
    return
  }
  const options = (redis as Redis).options as SentinelSettings
  if (Array.isArray(options.sentinels) && options.sentinels.length > 0) {
    await checkSentinel(options, timeout)
    return
  }
  await checkStandalone(redis as Redis, timeout)
}

async function checkSentinel (options: SentinelSettings, timeout: number): Promise<void> {
  const name = options.name ?? 'mymaster'
  const asked: string[] = []
  let knownBySome = false
  let answered = 0
  await Promise.all((options.sentinels ?? []).map(async s => {
    const host = s.host ?? '127.0.0.1'
    const port = s.port ?? 26379
    asked.push(`${host}:${port}`)
    const conn = new Redis({
      host,
      port,
      username: options.sentinelUsername,
      password: options.sentinelPassword,
      lazyConnect: true,
      connectTimeout: timeout,
      commandTimeout: timeout,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false
    })
    conn.on('error', () => {}) // an unreachable Sentinel is reported by the client's own retries
    try {
      await withTimeout(conn.connect(), timeout)
      const reply = await conn.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)
      answered++
      if (reply !== null) knownBySome = true
    } catch {
      // Unreachable, or not a Sentinel: nothing learned from this one.
    } finally {
      conn.disconnect()
    }
  }))
  if (answered > 0 && !knownBySome) {
    throw new FRP_REDIS_TOPOLOGY(`no Sentinel knows a master named "${name}" (asked ${asked.sort().join(', ')}; ${answered} answered): check the client's "name" option against "sentinel monitor" in sentinel.conf`)
  }
}

async function checkCluster (cluster: Cluster, timeout: number): Promise<void> {
  // The client's own view, once it has one; before that, its startup nodes (a Cluster client
  // stays "connecting" while the cluster reports a failed state, which missing slots cause).
  const live = cluster.nodes('master')
  const conns: Redis[] = live.length > 0
    ? live.slice(0, 1)
    : ((cluster as unknown as { startupNodes?: Array<{ host?: string, port?: number }> }).startupNodes ?? []).slice(0, 3).map(n => {
        const c = new Redis({ host: n.host ?? '127.0.0.1', port: n.port ?? 6379, ...cluster.options.redisOptions, lazyConnect: true, connectTimeout: timeout, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false })
        c.on('error', () => {})
        return c
      })
  const own = live.length === 0
  try {
    for (const conn of conns) {
      let info: string
      try {
        if (own) await withTimeout(conn.connect(), timeout)
        info = String(await withTimeout(conn.call('CLUSTER', 'INFO') as Promise<string>, timeout))
      } catch {
        continue // unreachable: try the next node; none answering is an outage, not a config error
      }
      const assigned = Number(/cluster_slots_assigned:(\d+)/.exec(info)?.[1] ?? ALL_SLOTS)
      const requireFullCoverage = await requiresFullCoverage(conn, timeout)
      if (assigned < ALL_SLOTS && requireFullCoverage) {
        throw new FRP_REDIS_TOPOLOGY(`the Cluster serves ${assigned} of ${ALL_SLOTS} slots (cluster_state:fail until every slot has a master): assign the missing slots (redis-cli --cluster fix)`)
      }
      return
    }
  } finally {
    if (own) for (const c of conns) c.disconnect()
  }
}

async function requiresFullCoverage (conn: Redis, timeout: number): Promise<boolean> {
  try {
    const reply = await withTimeout(conn.call('CONFIG', 'GET', 'cluster-require-full-coverage') as Promise<string[]>, timeout)
    return reply[1] !== 'no'
  } catch {
    return true // CONFIG disabled (managed Redis): the default, full coverage, applies
  }
}

async function checkStandalone (redis: Redis, timeout: number): Promise<void> {
  if (redis.status !== 'ready') return
  let info: string
  try {
    info = String(await withTimeout(redis.info('replication') as Promise<string>, timeout)) +
      String(await withTimeout(redis.info('cluster') as Promise<string>, timeout))
  } catch {
    return
  }
  const where = `${redis.options.host ?? '127.0.0.1'}:${redis.options.port ?? 6379}`
  if (/cluster_enabled:1/.test(info)) {
    throw new FRP_REDIS_TOPOLOGY(`Redis at ${where} is a Cluster node: pass an ioredis Cluster (new Cluster([...])), not a single-node client`)
  }
  if (/role:slave/.test(info) && /slave_read_only:1/.test(info)) {
    throw new FRP_REDIS_TOPOLOGY(`Redis at ${where} is a read-only replica: point the client at the master, or use Sentinel ({ sentinels, name }) so it follows failovers`)
  }
}

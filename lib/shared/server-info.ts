// What an operator asks first about a Redis: which version, in which mode, up how long, how
// many clients and keys. INFO only (managed services often disable CONFIG), one call per master,
// bounded by `timeoutMs`; never rejects (an unreachable node reports its error).
import { withTimeout } from './call-policy.js'
import { isCluster, masters, type RedisClient } from './connection.js'

export interface ServerInfo {
  /** host:port of the node. */
  node: string
  version: string | null
  /** 'standalone', 'cluster' or 'sentinel' (INFO server redis_mode). */
  mode: string | null
  uptimeSeconds: number | null
  connectedClients: number | null
  /** Keys in every database of the node (INFO keyspace). */
  keys: number | null
  /** Why the node did not answer. */
  error?: string
}

function field (info: string, name: string): string | null {
  return new RegExp(`^${name}:([^\\r\\n]*)`, 'm').exec(info)?.[1] ?? null
}

function count (info: string, name: string): number | null {
  const v = field(info, name)
  return v === null ? null : Number(v)
}

/** INFO server, clients and keyspace of each master of `client`. */
export async function readServerInfo (client: RedisClient, timeoutMs: number): Promise<ServerInfo[]> {
  const nodes = masters(client)
  return await Promise.all(nodes.map(async node => {
    const opts = node.options
    const name = `${opts.host ?? '127.0.0.1'}:${opts.port ?? 6379}`
    try {
      const [server, clients, keyspace] = await withTimeout(Promise.all([node.info('server'), node.info('clients'), node.info('keyspace')]), timeoutMs)
      let keys = 0
      for (const m of keyspace.matchAll(/^db\d+:keys=(\d+)/gm)) keys += Number(m[1])
      return {
        node: name,
        version: field(server, 'redis_version'),
        mode: field(server, 'redis_mode') ?? (isCluster(client) ? 'cluster' : null),
        uptimeSeconds: count(server, 'uptime_in_seconds'),
        connectedClients: count(clients, 'connected_clients'),
        keys
      }
    } catch (err) {
      return { node: name, version: null, mode: null, uptimeSeconds: null, connectedClients: null, keys: null, error: (err as Error).message }
    }
  }))
}

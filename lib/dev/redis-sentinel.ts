// Development helper (not part of the plugin API): a private Sentinel deployment on free loopback
// ports — one master, its replicas and `redis-server --sentinel` processes watching them — for the
// test harness and `npm run chaos`. Every process is watched like startRedisServer's, so nothing
// outlives the process that started it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { freePort, startRedisServer, type RedisServer } from './redis-server.js'

export interface RedisSentinelOptions {
  /** The monitored master's name (default 'frp'). */
  name?: string
  /** Replicas of the master (default 2). */
  replicas?: number
  /** Sentinel processes (default 3; the quorum is a majority of them). */
  sentinels?: number
  /** How long a master must not answer before a Sentinel considers it down (default 1000 ms). */
  downAfterMs?: number
  /** Sentinel's failover-timeout (default 4000 ms: also the pause between two failovers). */
  failoverTimeoutMs?: number
  /** Extra redis-server arguments for the data nodes (master and replicas). */
  args?: string[]
  /** How long to wait for replication and Sentinel discovery (default 30 s). */
  startTimeout?: number
}

export interface RedisSentinel {
  readonly name: string
  /** The data nodes: index 0 started as the master, the others as its replicas. */
  readonly nodes: RedisServer[]
  readonly sentinels: RedisServer[]
  /** The master's address as the Sentinels report it now. */
  masterAddress (): Promise<{ host: string, port: number }>
  /** Index into `nodes` of the current master. */
  masterIndex (): Promise<number>
  stop (): Promise<void>
}

// Any node can become the master, so all of them are set up alike: a diskless sync with no delay
// (the default waits 5 s for more replicas before the first full sync).
const DATA_ARGS = ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0', '--repl-ping-replica-period', '1']

export async function startRedisSentinel (opts: RedisSentinelOptions = {}): Promise<RedisSentinel> {
  const name = opts.name ?? 'frp'
  const replicaCount = opts.replicas ?? 2
  const sentinelCount = opts.sentinels ?? 3
  const downAfter = opts.downAfterMs ?? 1000
  const failoverTimeout = opts.failoverTimeoutMs ?? 4000
  const startTimeout = opts.startTimeout ?? 30_000
  const nodes: RedisServer[] = []
  const sentinels: RedisServer[] = []
  const dirs: string[] = []
  const admins: Redis[] = []

  const stop = async (): Promise<void> => {
    for (const a of admins) a.disconnect()
    await Promise.all([...sentinels, ...nodes].map(s => s.stop()))
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }

  const admin = (server: RedisServer): Redis => {
    const a = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectionName: 'frp-dev-admin' })
    a.on('error', () => {})
    admins.push(a)
    return a
  }

  try {
    const master = await startRedisServer({ args: [...DATA_ARGS, ...(opts.args ?? [])] })
    nodes.push(master)
    for (let i = 0; i < replicaCount; i++) {
      nodes.push(await startRedisServer({ args: [...DATA_ARGS, ...(opts.args ?? []), '--replicaof', master.host, String(master.port)] }))
    }
    const quorum = Math.floor(sentinelCount / 2) + 1
    for (let i = 0; i < sentinelCount; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'frp-sentinel-'))
      dirs.push(dir)
      const port = await freePort()
      const configFile = join(dir, 'sentinel.conf')
      // Sentinel rewrites its config file (known replicas, other Sentinels, the current epoch):
      // it must be a file of its own, writable.
      writeFileSync(configFile, [
        `port ${port}`,
        `sentinel monitor ${name} ${master.host} ${master.port} ${quorum}`,
        `sentinel down-after-milliseconds ${name} ${downAfter}`,
        `sentinel failover-timeout ${name} ${failoverTimeout}`,
        `sentinel parallel-syncs ${name} ${replicaCount}`,
        ''
      ].join('\n'))
      sentinels.push(await startRedisServer({
        port,
        dir,
        configFile,
        args: ['--sentinel'],
        // Sentinel mode never prints "Ready to accept connections"; it logs its id once it runs.
        readyLine: /Sentinel ID is|\+monitor master/
      }))
    }

    // Ready means: every replica is in sync, and every Sentinel knows every replica and the
    // other Sentinels (they find each other through hello messages every 2 s), so a failover
    // can be authorised by a majority from the start.
    const deadline = Date.now() + startTimeout
    const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
      for (;;) {
        if (await check().catch(() => false)) return
        if (Date.now() > deadline) throw new Error(`Sentinel deployment not ready within ${startTimeout} ms: ${what}`)
        await new Promise(resolve => setTimeout(resolve, 100))
      }
    }
    for (const r of nodes.slice(1).map(admin)) {
      await until('replica in sync', async () => String(await r.info('replication')).includes('master_link_status:up'))
    }
    for (const s of sentinels.map(admin)) {
      await until('sentinel discovery', async () => {
        const replicas = await s.call('SENTINEL', 'REPLICAS', name) as unknown[]
        const others = await s.call('SENTINEL', 'SENTINELS', name) as unknown[]
        return replicas.length === replicaCount && others.length === sentinelCount - 1
      })
    }
  } catch (err) {
    await stop()
    throw err
  }

  const sentinelAdmins = sentinels.map(admin)
  const deployment: RedisSentinel = {
    name,
    nodes,
    sentinels,
    async masterAddress () {
      let lastError: unknown
      for (const [i, s] of sentinelAdmins.entries()) {
        if (!sentinels[i].running) continue
        try {
          const [host, port] = await s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name) as [string, string]
          return { host, port: Number(port) }
        } catch (err) { lastError = err }
      }
      throw new Error(`no Sentinel answered: ${String(lastError)}`)
    },
    async masterIndex () {
      const { port } = await deployment.masterAddress()
      const i = nodes.findIndex(n => n.port === port)
      if (i < 0) throw new Error(`the Sentinels report a master on port ${port}, which is not one of ours`)
      return i
    },
    stop
  }
  return deployment
}

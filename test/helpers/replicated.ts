// Replicated topologies for failover tests: a real Sentinel deployment (a master, replicas and
// `redis-server --sentinel` processes) with fault controls. The Cluster with replicas lives in
// redis.ts (`startCluster(t, { replicas: 1 })`, faults in `clusterNodes`). Everything a test
// starts is stopped in its teardown.
import { Redis, type RedisOptions } from 'ioredis'
import { startRedisSentinel, type RedisSentinel } from '../../lib/dev/redis-sentinel.js'
import { recommendedRedisOptions } from '../../lib/shared/connection.js'

/** What a tap test offers (declared here: redis.ts imports this module). */
interface Teardown { teardown: (fn: () => unknown) => void }

export interface StartSentinelOptions {
  replicas?: number
  sentinels?: number
  /** Extra redis-server arguments for the data nodes. */
  args?: string[]
}

export interface TestSentinel {
  readonly deployment: RedisSentinel
  readonly name: string
  readonly sentinels: Array<{ host: string, port: number }>
  /**
   * A new ioredis client that finds the master through the Sentinels, with the package's
   * recommended options (READONLY reconnects) and test-sized timeouts; closed at teardown.
   */
  client (opts?: RedisOptions): Redis
  /** Index into `deployment.nodes` of the master the Sentinels report now. */
  masterIndex (): Promise<number>
  /** Runs a command on data node `i` over an admin connection that faults do not touch. */
  admin (i: number, ...cmd: Array<string | number>): Promise<unknown>
  /**
   * SENTINEL FAILOVER: a replica is promoted and the old master demoted (its clients are
   * disconnected by Sentinel). Resolves with the old and new master indexes once every running
   * Sentinel reports the new master and it answers as one.
   */
  failover (): Promise<{ from: number, to: number }>
  /**
   * SIGKILLs the master's redis-server. Resolves once the Sentinels have promoted a replica
   * (every running Sentinel reports it and it answers as master). The killed node stays down
   * until `restartNode`.
   */
  killMaster (): Promise<{ from: number, to: number }>
  /** Starts node `i` again (empty: no persistence); the Sentinels make it a replica. */
  restartNode (i: number): Promise<void>
  /**
   * Cuts replication: the master drops its replica links and refuses new connections (its
   * maxclients lowered to the connections it has), so replicas miss every write from now on, as
   * replicas behind a network partition do, while the connected clients and Sentinels carry on.
   * `healReplication` lets the replicas back in (they catch up from the backlog).
   */
  cutReplication (): Promise<void>
  healReplication (): Promise<void>
  stop (): Promise<void>
}

const testTimeouts: RedisOptions = {
  commandTimeout: 2000,
  connectTimeout: 2000,
  maxRetriesPerRequest: 1,
  retryStrategy: (times: number) => Math.min(times * 50, 500),
  sentinelRetryStrategy: (times: number) => Math.min(times * 50, 500)
}

const DEFAULT_MAXCLIENTS = 10000

export async function startSentinel (t: Teardown, opts: StartSentinelOptions = {}): Promise<TestSentinel> {
  const deployment = await startRedisSentinel({ replicas: opts.replicas, sentinels: opts.sentinels, args: opts.args })
  const clients = new Set<Redis>()
  const admins = new Map<number, Redis>()
  const sentinelAdmins = deployment.sentinels.map(s => {
    const c = new Redis({ host: s.host, port: s.port, maxRetriesPerRequest: 1, retryStrategy: () => 100, connectionName: 'frp-test-admin' })
    c.on('error', () => {})
    return c
  })

  const adminOf = (i: number): Redis => {
    let c = admins.get(i)
    if (c === undefined || c.status === 'end') {
      const s = deployment.nodes[i]
      c = new Redis({ host: s.host, port: s.port, maxRetriesPerRequest: 1, retryStrategy: () => 100, connectionName: 'frp-test-admin' })
      c.on('error', () => {})
      admins.set(i, c)
    }
    return c
  }
  const admin = async (i: number, ...cmd: Array<string | number>): Promise<unknown> =>
    await adminOf(i).call(String(cmd[0]), ...cmd.slice(1).map(String))

  /** Waits until every running Sentinel reports a master other than `from`, and it is one. */
  const promotedAway = async (from: number, ms = 30_000): Promise<number> => {
    const deadline = Date.now() + ms
    for (;;) {
      const reports = await Promise.all(sentinelAdmins.map(async (s, i) => {
        if (!deployment.sentinels[i].running) return null
        const reply = await s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', deployment.name).catch(() => null) as [string, string] | null
        return reply === null ? -1 : deployment.nodes.findIndex(n => n.port === Number(reply[1]))
      }))
      const live = reports.filter((r): r is number => r !== null)
      const to = live[0]
      if (to !== undefined && to >= 0 && to !== from && live.every(r => r === to)) {
        const role = String(await admin(to, 'ROLE').catch(() => [''])).split(',')[0]
        if (role === 'master') return to
      }
      if (Date.now() > deadline) throw new Error(`no replica was promoted within ${ms} ms (Sentinels report ${JSON.stringify(live)})`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  const r: TestSentinel = {
    deployment,
    name: deployment.name,
    sentinels: deployment.sentinels.map(s => ({ host: s.host, port: s.port })),
    client (o: RedisOptions = {}) {
      const c = new Redis({
        ...recommendedRedisOptions(),
        enableAutoPipelining: false,
        ...testTimeouts,
        sentinels: deployment.sentinels.map(s => ({ host: s.host, port: s.port })),
        name: deployment.name,
        ...o
      })
      c.on('error', () => {}) // faults are injected on purpose; tests assert on command results
      clients.add(c)
      return c
    },
    masterIndex: async () => await deployment.masterIndex(),
    admin,
    async failover () {
      const from = await deployment.masterIndex()
      // A Sentinel refuses a second failover within failover-timeout of the last one: retry
      // until it takes this one.
      const deadline = Date.now() + 30_000
      for (;;) {
        const ok = await sentinelAdmins[0].call('SENTINEL', 'FAILOVER', deployment.name).then(() => true, (err: Error) => {
          if (Date.now() > deadline || !/INPROG|NOGOODSLAVE/.test(err.message)) throw err
          return false
        })
        if (ok) break
        await new Promise(resolve => setTimeout(resolve, 200))
      }
      const to = await promotedAway(from)
      // The old master takes writes until Sentinel demotes it: wait for that, so a write after
      // failover() resolves can only land on the new master.
      const deadline2 = Date.now() + 30_000
      while (!String(await admin(from, 'ROLE').catch(() => '')).startsWith('slave')) {
        if (Date.now() > deadline2) throw new Error('the old master was not demoted within 30 s')
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      return { from, to }
    },
    async killMaster () {
      const from = await deployment.masterIndex()
      admins.get(from)?.disconnect(); admins.delete(from)
      await deployment.nodes[from].kill('SIGKILL')
      return { from, to: await promotedAway(from) }
    },
    async restartNode (i) {
      admins.get(i)?.disconnect(); admins.delete(i)
      await deployment.nodes[i].start()
    },
    async cutReplication () {
      const m = await deployment.masterIndex()
      const list = String(await admin(m, 'CLIENT', 'LIST')).split('\n').filter(l => l.includes('id='))
      const replicas = list.filter(l => /\bflags=\S*S/.test(l)).length
      await admin(m, 'CONFIG', 'SET', 'maxclients', list.length - replicas)
      await admin(m, 'CLIENT', 'KILL', 'TYPE', 'replica')
    },
    async healReplication () {
      const m = await deployment.masterIndex()
      await admin(m, 'CONFIG', 'SET', 'maxclients', DEFAULT_MAXCLIENTS)
    },
    async stop () {
      for (const c of clients) c.disconnect()
      for (const c of admins.values()) c.disconnect()
      for (const c of sentinelAdmins) c.disconnect()
      await deployment.stop()
    }
  }
  t.teardown(() => r.stop())
  return r
}

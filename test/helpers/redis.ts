// Real-Redis test harness. Every server a test starts is stopped in the test's teardown, even
// when the test fails or times out (and, failing that, by the watchdog of lib/dev/redis-server).
import { Redis, Cluster, type RedisOptions, type ClusterOptions } from 'ioredis'
import { startRedisServer, startRedisCluster, type RedisServer } from '../../lib/dev/redis-server.js'

export interface Teardown { teardown: (fn: () => unknown) => void }

export interface StartRedisOptions {
  /** Persist with AOF (appendfsync always), so restart() keeps the data. */
  appendonly?: boolean
  /** Extra redis-server arguments. */
  args?: string[]
}

export interface TestRedis {
  readonly url: string
  readonly host: string
  readonly port: number
  readonly server: RedisServer
  /** A new ioredis client to this server, closed at teardown. Defaults: fast failure for tests. */
  client (opts?: RedisOptions): Redis
  /** Sends `signal` (default SIGKILL) to redis-server and waits until it has exited. */
  kill (signal?: NodeJS.Signals): Promise<void>
  /** Starts the server again on the same port with the same data directory. */
  restart (): Promise<void>
  /**
   * CLIENT PAUSE ALL for `ms`: every client's commands stall, as on a slow or blocked Redis.
   * On Redis 7.0 the pause holds the admin connection too (even CLIENT UNPAUSE waits), so keep
   * pauses short: they end by themselves.
   */
  pause (ms: number): Promise<void>
  /** CLIENT KILL of every connection except the admin one; returns how many were killed. */
  killClients (filter?: { name?: string }): Promise<number>
  /** Runs a command on an admin connection that faults do not touch. */
  admin (...args: Array<string | number>): Promise<unknown>
  stop (): Promise<void>
}

const testClientDefaults: RedisOptions = {
  maxRetriesPerRequest: 1,
  retryStrategy: (times: number) => Math.min(times * 50, 500),
  commandTimeout: 2000,
  connectTimeout: 2000
}

export async function startRedis (t: Teardown, opts: StartRedisOptions = {}): Promise<TestRedis> {
  const args = [...(opts.args ?? [])]
  if (opts.appendonly === true) args.push('--appendonly', 'yes', '--appendfsync', 'always')
  const server = await startRedisServer({ args })
  const clients = new Set<Redis>()
  let adminClient: Redis | null = null

  const admin = async (...cmd: Array<string | number>): Promise<unknown> => {
    if (adminClient === null || adminClient.status === 'end') {
      adminClient = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 3, connectionName: 'frp-test-admin' })
      await adminClient.connect()
    }
    return await adminClient.call(String(cmd[0]), ...cmd.slice(1).map(String))
  }

  const r: TestRedis = {
    server,
    get url () { return server.url },
    get host () { return server.host },
    get port () { return server.port },
    client (o: RedisOptions = {}) {
      const c = new Redis({ host: server.host, port: server.port, ...testClientDefaults, ...o })
      c.on('error', () => {}) // faults are injected on purpose; tests assert on command results
      clients.add(c)
      return c
    },
    async kill (signal: NodeJS.Signals = 'SIGKILL') {
      await server.kill(signal)
      adminClient?.disconnect(); adminClient = null
    },
    async restart () {
      await server.kill('SIGKILL')
      adminClient?.disconnect(); adminClient = null
      await server.start()
    },
    async pause (ms: number) { await admin('CLIENT', 'PAUSE', ms, 'ALL') },
    async killClients (filter: { name?: string } = {}) {
      const list = String(await admin('CLIENT', 'LIST'))
      let killed = 0
      for (const line of list.split('\n')) {
        const id = /\bid=(\d+)/.exec(line)?.[1]
        const name = /\bname=(\S*)/.exec(line)?.[1] ?? ''
        if (id === undefined || name === 'frp-test-admin') continue
        if (filter.name !== undefined && name !== filter.name) continue
        killed += Number(await admin('CLIENT', 'KILL', 'ID', id))
      }
      return killed
    },
    admin,
    async stop () {
      for (const c of clients) c.disconnect()
      adminClient?.disconnect()
      await server.stop()
    }
  }
  t.teardown(() => r.stop())
  return r
}

export interface TestCluster {
  readonly nodes: Array<{ host: string, port: number }>
  readonly servers: RedisServer[]
  /** A new ioredis Cluster client, closed at teardown. */
  client (opts?: ClusterOptions): Cluster
  stop (): Promise<void>
}

/**
 * Spawns a real Redis Cluster of `masters` masters, each with `replicas` replicas (default none),
 * and waits for cluster_state:ok. `servers` lists the masters first, then the replicas.
 */
export async function startCluster (t: Teardown, { masters = 3, replicas = 0 }: { masters?: number, replicas?: number } = {}): Promise<TestCluster> {
  const servers: RedisServer[] = []
  const clients = new Set<Cluster>()
  const stop = async (): Promise<void> => {
    for (const c of clients) c.disconnect()
    await Promise.all(servers.map(s => s.stop()))
  }
  t.teardown(stop)
  servers.push(...await startRedisCluster({ masters, replicas }))
  const nodes = servers.map(s => ({ host: s.host, port: s.port }))
  return {
    nodes,
    servers,
    client (opts: ClusterOptions = {}) {
      const c = new Cluster(nodes, { redisOptions: { ...testClientDefaults }, ...opts })
      c.on('error', () => {})
      clients.add(c)
      return c
    },
    stop
  }
}

export type Topology = 'standalone' | 'cluster' | 'sentinel'

/**
 * The topologies a pattern's core suite runs on: standalone and Cluster by default;
 * `FRP_TOPOLOGY=standalone`, `cluster` or `sentinel` selects one (the single switch; `sentinel`
 * runs the suite through a real Sentinel deployment: a master, two replicas, three Sentinels).
 */
export function topologies (): Topology[] {
  const env = process.env.FRP_TOPOLOGY
  if (env === 'standalone' || env === 'cluster' || env === 'sentinel') return [env]
  if (env !== undefined && env !== '') throw new Error(`FRP_TOPOLOGY must be standalone, cluster or sentinel, not "${env}"`)
  return ['standalone', 'cluster']
}

/**
 * The topologies of a pattern's core suite (one file per pattern): standalone, Cluster and a
 * Sentinel deployment by default, so every core behaviour is proven through Sentinel in every
 * run; `FRP_TOPOLOGY` selects one, as for topologies().
 */
export function coreTopologies (): Topology[] {
  const env = process.env.FRP_TOPOLOGY
  if (env !== undefined && env !== '') return topologies()
  return ['standalone', 'cluster', 'sentinel']
}

export interface TopologyHandle {
  topology: Topology
  /** A new client of this topology (Redis or Cluster), closed at teardown. */
  client (): Redis | Cluster
}

/** Starts a server of the given topology for a test file or subtest. */
export async function startTopology (t: Teardown, topology: Topology): Promise<TopologyHandle> {
  if (topology === 'cluster') {
    const c = await startCluster(t)
    return { topology, client: () => c.client() }
  }
  if (topology === 'sentinel') {
    // Imported here: replicated.ts imports this module's types.
    const { startSentinel } = await import('./replicated.js')
    const s = await startSentinel(t)
    return { topology, client: () => s.client() }
  }
  const r = await startRedis(t)
  return { topology, client: () => r.client() }
}

/** Polls `check` until it returns a truthy value or `ms` pass (then throws `what`). */
export async function eventually<T> (check: () => T | Promise<T>, { ms = 5000, every = 10, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, every))
  }
}

export interface ClusterNodes {
  /** Runs a command on node `i` (index into cluster.servers) over an admin connection. */
  admin (i: number, ...cmd: Array<string | number>): Promise<unknown>
  /** The same command on every live node; resolves with their replies. */
  adminAll (...cmd: Array<string | number>): Promise<unknown[]>
  /** SIGKILLs node `i`'s redis-server and waits until it has exited. */
  kill (i: number): Promise<void>
  /** Index of the node serving `key`'s slot. */
  nodeOf (key: string): Promise<number>
  /** CLIENT KILL of every connection on every live node except the admin ones; how many. */
  killClients (): Promise<number>
  /** Index of a live replica of master `i`. */
  replicaOf (i: number): Promise<number>
  /**
   * CLUSTER FAILOVER on a replica of master `i`: the replica takes over, in step with its master.
   * Resolves with the new master's index once every live node routes `i`'s slots to it.
   */
  failover (i: number): Promise<number>
  /**
   * SIGKILLs master `i`; resolves with the index of the replica that took over once every live
   * node routes the slots to it and reports cluster_state:ok.
   */
  killMaster (i: number): Promise<number>
  /**
   * Migrates `slot` and its keys, live, from the master serving it to master `to`: IMPORTING /
   * MIGRATING, MIGRATE in batches of `batch` keys (calling `between` after each, so a test can
   * run load mid-migration), then SETSLOT NODE on every master. Resolves with the keys moved.
   */
  migrateSlot (slot: number, to: number, opts?: { batch?: number, between?: () => Promise<void> }): Promise<number>
  /** The slot of `key`. */
  slotOf (key: string): Promise<number>
}

/** Per-node admin of a TestCluster (admin connections closed at teardown). */
export function clusterNodes (t: Teardown, cluster: TestCluster): ClusterNodes {
  const conns = new Map<number, Redis>()
  const conn = (i: number): Redis => {
    let c = conns.get(i)
    if (c === undefined) {
      const s = cluster.servers[i]
      c = new Redis({ host: s.host, port: s.port, maxRetriesPerRequest: 1, connectionName: 'frp-test-admin', retryStrategy: () => null })
      c.on('error', () => {})
      conns.set(i, c)
    }
    return c
  }
  const live = (): number[] => cluster.servers.flatMap((s, i) => s.running ? [i] : [])
  t.teardown(() => { for (const c of conns.values()) c.disconnect() })
  const nodes: ClusterNodes = {
    admin: async (i, ...cmd) => await conn(i).call(String(cmd[0]), ...cmd.slice(1).map(String)),
    adminAll: async (...cmd) => await Promise.all(live().map(i => nodes.admin(i, ...cmd))),
    async kill (i) {
      conns.get(i)?.disconnect(); conns.delete(i)
      await cluster.servers[i].kill('SIGKILL')
    },
    async nodeOf (key) {
      const any = live()[0]
      const slot = Number(await nodes.admin(any, 'CLUSTER', 'KEYSLOT', key))
      const ranges = await nodes.admin(any, 'CLUSTER', 'SLOTS') as Array<[number, number, [string, number]]>
      const range = ranges.find(([from, to]) => slot >= from && slot <= to)
      const i = cluster.servers.findIndex(s => s.port === Number(range?.[2][1]))
      if (i < 0) throw new Error(`no node serves slot ${slot}`)
      return i
    },
    async killClients () {
      let killed = 0
      for (const i of live()) {
        const list = String(await nodes.admin(i, 'CLIENT', 'LIST'))
        for (const line of list.split('\n')) {
          const id = /\bid=(\d+)/.exec(line)?.[1]
          const name = /\bname=(\S*)/.exec(line)?.[1] ?? ''
          // Cluster bus links are not clients; admin connections are ours.
          if (id === undefined || name === 'frp-test-admin') continue
          killed += Number(await nodes.admin(i, 'CLIENT', 'KILL', 'ID', id).catch(() => 0))
        }
      }
      return killed
    },
    async replicaOf (i) {
      const id = String(await nodes.admin(i, 'CLUSTER', 'MYID'))
      // Just after a failover the demoted master takes a moment to register as a replica.
      return await eventually(async () => {
        const lines = String(await nodes.admin(i, 'CLUSTER', 'NODES')).split('\n')
        for (const line of lines) {
          const [, addr, flags, masterId] = line.split(' ')
          if (masterId !== id || !flags.includes('slave') || flags.includes('fail')) continue
          const port = Number(addr.split('@')[0].split(':')[1])
          const r = cluster.servers.findIndex(s => s.port === port && s.running)
          if (r >= 0) return r + 1 // 0 would read as "not yet"
        }
        return 0
      }, { ms: 15_000, every: 50, what: `a live replica of master ${i}` }) - 1
    },
    async failover (i) {
      const r = await nodes.replicaOf(i)
      const slots = await slotsOf(i)
      // A manual failover the master does not answer in time (5 s) is abandoned by the replica:
      // ask again, a few times, before giving up.
      for (let attempt = 1; ; attempt++) {
        await nodes.admin(r, 'CLUSTER', 'FAILOVER')
        try {
          await routedTo(slots, r, 10_000)
          return r
        } catch (err) {
          if (attempt >= 3) throw err
        }
      }
    },
    async killMaster (i) {
      const r = await nodes.replicaOf(i)
      const slots = await slotsOf(i)
      await nodes.kill(i)
      await routedTo(slots, r)
      return r
    },
    async migrateSlot (slot, to, { batch = 100, between } = {}) {
      const from = await nodeOfSlot(slot)
      if (from === to) return 0
      const fromId = String(await nodes.admin(from, 'CLUSTER', 'MYID'))
      const toId = String(await nodes.admin(to, 'CLUSTER', 'MYID'))
      const target = cluster.servers[to]
      await nodes.admin(to, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId)
      await nodes.admin(from, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId)
      let moved = 0
      for (;;) {
        const keys = await nodes.admin(from, 'CLUSTER', 'GETKEYSINSLOT', slot, batch) as string[]
        if (keys.length === 0) break
        await nodes.admin(from, 'MIGRATE', target.host, target.port, '', 0, 5000, 'KEYS', ...keys)
        moved += keys.length
        if (between !== undefined) await between()
      }
      await nodes.admin(to, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId)
      await nodes.admin(from, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId)
      for (const i of live()) {
        if (i === from || i === to) continue
        if (String(await nodes.admin(i, 'ROLE')).startsWith('master')) await nodes.admin(i, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId)
      }
      return moved
    },
    async slotOf (key) {
      return Number(await nodes.admin(live()[0], 'CLUSTER', 'KEYSLOT', key))
    }
  }

  type SlotRange = [number, number]
  const slotsOf = async (i: number): Promise<SlotRange[]> => {
    const ranges = await nodes.admin(i, 'CLUSTER', 'SLOTS') as Array<[number, number, [string, number]]>
    return ranges.filter(r => Number(r[2][1]) === cluster.servers[i].port).map(r => [r[0], r[1]])
  }
  const nodeOfSlot = async (slot: number): Promise<number> => {
    const ranges = await nodes.admin(live()[0], 'CLUSTER', 'SLOTS') as Array<[number, number, [string, number]]>
    const range = ranges.find(([from, to]) => slot >= from && slot <= to)
    const i = cluster.servers.findIndex(s => s.port === Number(range?.[2][1]))
    if (i < 0) throw new Error(`no node serves slot ${slot}`)
    return i
  }
  /** Waits until every live node reports cluster_state:ok and routes `slots` to node `r`. */
  const routedTo = async (slots: SlotRange[], r: number, ms = 30_000): Promise<void> => {
    const port = cluster.servers[r].port
    await eventually(async () => {
      for (const i of live()) {
        const info = String(await nodes.admin(i, 'CLUSTER', 'INFO').catch(() => ''))
        if (!info.includes('cluster_state:ok')) return false
        const ranges = await nodes.admin(i, 'CLUSTER', 'SLOTS').catch(() => []) as Array<[number, number, [string, number]]>
        for (const [from] of slots) {
          const range = ranges.find(([a, b]) => from >= a && from <= b)
          if (range === undefined || Number(range[2][1]) !== port) return false
        }
      }
      return true
    }, { ms, every: 50, what: `the slots to move to node ${r}` })
  }
  return nodes
}

// The replicated deployments the soak runs against, each with the faults it can suffer. They are
// the test harness's (test/helpers/replicated.ts, test/helpers/redis.ts: no tap in them), driven
// through a Teardown of our own.
import { setTimeout as sleep } from 'node:timers/promises'
import type { RedisClient } from '../lib/shared/client.js'
import { recommendedClusterOptions, recommendedRedisOptions } from '../lib/shared/connection.js'
import { clusterNodes, eventually, startCluster, type Teardown } from '../test/helpers/redis.js'
import { startSentinel } from '../test/helpers/replicated.js'
import type { Random } from './random.js'

export type TopologyName = 'sentinel' | 'cluster'
export const TOPOLOGIES: readonly TopologyName[] = ['sentinel', 'cluster']

export interface Fault {
  readonly name: string
  /** Injects the fault and waits until the deployment has taken it (a replica promoted, a node back); resolves with what happened. */
  run (rng: Random): Promise<string>
}

export interface SoakTopology {
  readonly name: TopologyName
  readonly description: string
  /** Replicas of each master: what `durability.replicas` waits for by default (see soak.ts). */
  readonly replicas: number
  client (name: string): RedisClient
  /** The faults, given the keys a slot migration may move (one list per workload). */
  faults (keys: () => ReadonlyArray<readonly string[]>): Fault[]
  /** After the faults: every node running, replicas in sync, routing settled. */
  heal (): Promise<void>
}

/** Collects teardown functions and runs them in reverse order (the soak is not a tap test). */
export class Teardowns implements Teardown {
  readonly #fns: Array<() => unknown> = []
  teardown (fn: () => unknown): void {
    this.#fns.push(fn)
  }

  async run (): Promise<void> {
    for (const fn of this.#fns.reverse()) {
      try { await fn() } catch {}
    }
    this.#fns.length = 0
  }
}

export async function startSoakTopology (t: Teardown, name: TopologyName): Promise<SoakTopology> {
  return name === 'sentinel' ? await sentinelTopology(t) : await clusterTopology(t)
}

/** How long a fault may take to be absorbed (promotion, resync) before the soak calls it failed. */
const SETTLE_MS = 30_000

/** Pause lengths: below Sentinel's down-after (1 s) and Cluster's node timeout (2 s), so a pause is a stall, not a failover. */
const pauseMs = (rng: Random): number => rng.int(200, 900)

/**
 * CLIENT KILL of the application's connections on one node: every client except admin
 * connections, Sentinel's links and replication links (those are not what a proxy or an idle
 * timeout cuts). Pub/sub connections go too: the cache's invalidation bus must resubscribe.
 */
async function killAppClients (admin: (...cmd: Array<string | number>) => Promise<unknown>): Promise<number> {
  const list = String(await admin('CLIENT', 'LIST'))
  let killed = 0
  for (const line of list.split('\n')) {
    const id = /\bid=(\d+)/.exec(line)?.[1]
    const name = /\bname=(\S*)/.exec(line)?.[1] ?? ''
    const flags = /\bflags=(\S*)/.exec(line)?.[1] ?? ''
    if (id === undefined || name === 'frp-test-admin' || name.startsWith('sentinel-') || /[SM]/.test(flags)) continue
    killed += Number(await admin('CLIENT', 'KILL', 'ID', id).catch(() => 0))
  }
  return killed
}

async function sentinelTopology (t: Teardown): Promise<SoakTopology> {
  const s = await startSentinel(t)
  const nodes = s.deployment.nodes
  /** Node `i` replicates the current master and its link is up. */
  const inSync = async (i: number): Promise<void> => {
    await eventually(async () => {
      const info = String(await s.admin(i, 'INFO', 'replication').catch(() => ''))
      return info.includes('role:slave') && info.includes('master_link_status:up')
    }, { ms: SETTLE_MS, every: 100, what: `node ${i} to replicate the new master` })
  }
  return {
    name: 'sentinel',
    description: 'Sentinel: a master, 2 replicas, 3 Sentinels',
    replicas: nodes.length - 1,
    client: name => s.client(recommendedRedisOptions({ connectionName: name })),
    faults: () => [
      {
        name: 'failover',
        async run () {
          const { from, to } = await s.failover()
          return `SENTINEL FAILOVER: node ${from} → ${to}`
        }
      },
      {
        name: 'master-kill',
        async run () {
          const { from, to } = await s.killMaster()
          await s.restartNode(from)
          await inSync(from)
          return `SIGKILL node ${from}, node ${to} promoted, node ${from} restarted as its replica`
        }
      },
      {
        name: 'client-kill',
        async run () {
          const m = await s.masterIndex()
          return `CLIENT KILL of ${await killAppClients((...cmd) => s.admin(m, ...cmd))} connections on the master (node ${m})`
        }
      },
      {
        name: 'pause',
        async run (rng) {
          const ms = pauseMs(rng)
          const m = await s.masterIndex()
          await s.admin(m, 'CLIENT', 'PAUSE', ms, 'ALL')
          await sleep(ms)
          return `CLIENT PAUSE ${ms} ms on the master (node ${m})`
        }
      }
    ],
    async heal () {
      for (const [i, n] of nodes.entries()) if (!n.running) await s.restartNode(i)
      const m = await s.masterIndex()
      for (const i of nodes.keys()) if (i !== m) await inSync(i)
    }
  }
}

async function clusterTopology (t: Teardown): Promise<SoakTopology> {
  const cluster = await startCluster(t, { masters: 3, replicas: 1 })
  const nodes = clusterNodes(t, cluster)
  const live = (): number[] => cluster.servers.flatMap((s, i) => s.running ? [i] : [])
  const masters = async (): Promise<number[]> => {
    const out: number[] = []
    for (const i of live()) if (String(await nodes.admin(i, 'ROLE').catch(() => '')).startsWith('master')) out.push(i)
    return out
  }
  /** Every live node reports cluster_state:ok, every replica's link is up, no slot is mid-migration. */
  const settled = async (): Promise<void> => {
    await eventually(async () => {
      for (const i of live()) {
        const info = String(await nodes.admin(i, 'CLUSTER', 'INFO').catch(() => ''))
        if (!info.includes('cluster_state:ok')) return false
        const repl = String(await nodes.admin(i, 'INFO', 'replication').catch(() => ''))
        if (!repl.includes('role:master') && !repl.includes('master_link_status:up')) return false
        // An open migration shows as [slot->-id] / [slot-<-id] in CLUSTER NODES.
        if (/\[\d+-[<>]-/.test(String(await nodes.admin(i, 'CLUSTER', 'NODES').catch(() => '')))) return false
      }
      return true
    }, { ms: SETTLE_MS, every: 100, what: 'the Cluster to settle (state ok, replicas in sync, no open migration)' })
  }
  return {
    name: 'cluster',
    description: 'Cluster: 3 masters, 1 replica each',
    replicas: 1,
    client: name => cluster.client(recommendedClusterOptions({ redisOptions: { connectionName: name } })),
    faults: keys => [
      {
        name: 'failover',
        async run (rng) {
          const i = rng.pick(await masters())
          return `CLUSTER FAILOVER: master node ${i} → ${await nodes.failover(i)}`
        }
      },
      {
        name: 'master-kill',
        async run (rng) {
          const i = rng.pick(await masters())
          const r = await nodes.killMaster(i)
          await cluster.servers[i].start()
          await settled()
          return `SIGKILL master node ${i}, node ${r} promoted, node ${i} restarted as its replica`
        }
      },
      {
        name: 'client-kill',
        async run () {
          let killed = 0
          for (const i of live()) killed += await killAppClients((...cmd) => nodes.admin(i, ...cmd))
          return `CLIENT KILL of ${killed} connections on every node`
        }
      },
      {
        name: 'pause',
        async run (rng) {
          const ms = pauseMs(rng)
          const i = rng.pick(await masters())
          await nodes.admin(i, 'CLIENT', 'PAUSE', ms, 'ALL')
          await sleep(ms)
          return `CLIENT PAUSE ${ms} ms on master node ${i}`
        }
      },
      {
        name: 'migrate-slot',
        async run (rng) {
          // A workload first, then one of its keys: the queue's one slot (every key of a queue
          // shares its hash tag) is as likely as any of the cache's twenty.
          const key = rng.pick(rng.pick(keys().filter(k => k.length > 0)))
          const slot = await nodes.slotOf(key)
          const from = await nodes.nodeOf(key)
          const to = rng.pick((await masters()).filter(i => i !== from))
          const moved = await nodes.migrateSlot(slot, to, { batch: 20 })
          return `slot ${slot} (${key}) with ${moved} keys, node ${from} → ${to}`
        }
      }
    ],
    async heal () {
      for (const s of cluster.servers) if (!s.running) await s.start()
      await settled()
    }
  }
}

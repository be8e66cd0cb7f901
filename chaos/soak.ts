// The chaos soak: every pattern at once against a replicated deployment, random faults at random
// intervals for a chosen duration, then the faults stop, the deployment heals, the load stops,
// what must settle settles (the queue drains, the cache buses come back) and each workload checks
// its invariants. Used by `npm run chaos` (chaos/run.ts) and by test/chaos/soak.test.ts.
import { setTimeout as sleep } from 'node:timers/promises'
import type { SoakDurability } from './durability.js'
import { seeded, type Random } from './random.js'
import { startSoakTopology, Teardowns, type Fault, type TopologyName } from './topology.js'
import { Load, type Verdict, type Workload, type WorkloadContext } from './workload.js'
import { cacheWorkload } from './workloads/cache.js'
import { sessionWorkload } from './workloads/session.js'
import { rateLimitWorkload } from './workloads/rate-limit.js'
import { lockWorkload } from './workloads/lock.js'
import { leaderboardWorkload } from './workloads/leaderboard.js'
import { queueWorkload } from './workloads/queue.js'

export interface SoakOptions {
  topology: TopologyName
  /** How long faults are injected, ms. */
  durationMs: number
  seed: number
  /** Longest wait after the faults for the queue to drain and the buses to come back (default 60 s). */
  settleMs?: number
  /** Shortest and longest pause between two faults, ms (default 1000 and 6000). */
  intervalMs?: [number, number]
  /**
   * `durability.replicas` of the queue, the session stores and the boards (default: every
   * replica of a master). Fewer than all is not enough on Sentinel: SENTINEL FAILOVER promotes
   * one replica while the old master still takes writes for a while, and the other replica,
   * still attached to it, confirms them until it is moved to the new master, which never had
   * them (docs/failover.md, "Chaos soak").
   */
  replicas?: number
  /** Only these faults (names as in the table's fault line); default: every fault of the topology. */
  faults?: readonly string[]
  /** Progress lines (faults as they happen); default: none. */
  log?: (line: string) => void
}

export interface FaultRecord {
  /** Seconds since the load started. */
  at: number
  fault: string
  /** How long the fault took to inject and absorb, ms. */
  ms: number
  detail: string
  failed: boolean
}

export interface PatternResult {
  pattern: string
  ops: number
  errors: number
  /** Error counts by code. */
  codes: Record<string, number>
  /** The first message of each code. */
  samples: Record<string, string>
  longestOutageMs: number
  verdicts: Verdict[]
}

export interface SoakReport {
  topology: TopologyName
  description: string
  seed: number
  durationMs: number
  /** The durability option the cores were given, or null when this version has none. */
  durability: SoakDurability | null
  faults: FaultRecord[]
  patterns: PatternResult[]
  /** False when an invariant broke or the deployment did not heal. */
  ok: boolean
  /** Problems of the run itself (a heal that failed). */
  problems: string[]
}

const WORKLOADS: Array<(ctx: WorkloadContext) => Promise<Workload>> = [
  cacheWorkload, sessionWorkload, rateLimitWorkload, lockWorkload, leaderboardWorkload, queueWorkload
]

export async function runSoak (opts: SoakOptions): Promise<SoakReport> {
  const log = opts.log ?? (() => {})
  const t = new Teardowns()
  const workloads: Workload[] = []
  try {
    const topology = await startSoakTopology(t, opts.topology)
    log(`# ${topology.description} up; seed ${opts.seed}`)
    const prefix = `chaos${opts.seed}`
    const durability: SoakDurability = { replicas: opts.replicas ?? topology.replicas, timeout: 1000 }
    // Each workload draws from its own sequence, and the faults from theirs: the fault schedule
    // of a seed does not depend on how many operations the workloads managed.
    for (const [i, make] of WORKLOADS.entries()) {
      workloads.push(await make({ client: name => topology.client(name), rng: seeded(opts.seed + i + 1), prefix, durability }))
    }
    const keys = (): Array<readonly string[]> => workloads.map(w => w.keys)
    const load = new Load()
    for (const w of workloads) { w.tracker.start(); w.start(load) }
    const started = performance.now()

    const faults = await injectFaults(pickFaults(topology.faults(keys), opts.faults), seeded(opts.seed), started, opts, log)
    const problems: string[] = []
    await topology.heal().catch(err => { problems.push(`the deployment did not heal: ${(err as Error).message}`) })
    await load.stop()
    for (const w of workloads) w.tracker.stop()
    log('# faults stopped, load stopped; settling')
    const deadline = performance.now() + (opts.settleMs ?? 60_000)
    await Promise.all(workloads.map(w => w.settle?.(deadline)))

    const patterns: PatternResult[] = []
    for (const w of workloads) {
      const verdicts = await w.check().catch((err): Verdict[] => [{ invariant: 'check', status: 'broken', detail: `the check failed: ${(err as Error).message}` }])
      patterns.push({
        pattern: w.tracker.pattern,
        ops: w.tracker.ops,
        errors: w.tracker.errors,
        codes: Object.fromEntries(w.tracker.codes),
        samples: Object.fromEntries(w.tracker.samples),
        longestOutageMs: w.tracker.longestOutage,
        verdicts
      })
    }
    const ok = problems.length === 0 && patterns.every(p => p.verdicts.every(v => v.status !== 'broken'))
    const durable = workloads.some(w => w.durable === true)
    return { topology: topology.name, description: topology.description, seed: opts.seed, durationMs: opts.durationMs, durability: durable ? durability : null, faults, patterns, ok, problems }
  } finally {
    for (const w of workloads) await w.close().catch(() => {})
    await t.run()
  }
}

/** The faults `names` asks for (all when undefined); an unknown name is an error naming the known ones. */
function pickFaults (all: Fault[], names: readonly string[] | undefined): Fault[] {
  if (names === undefined) return all
  for (const n of names) {
    if (!all.some(f => f.name === n)) throw new Error(`unknown fault "${n}" (this topology has: ${all.map(f => f.name).join(', ')})`)
  }
  return all.filter(f => names.includes(f.name))
}

/** Random faults at random intervals until `durationMs` after `started`, one at a time. */
async function injectFaults (faults: Fault[], rng: Random, started: number, opts: SoakOptions, log: (line: string) => void): Promise<FaultRecord[]> {
  const [min, max] = opts.intervalMs ?? [1000, 6000]
  const end = started + opts.durationMs
  const records: FaultRecord[] = []
  for (;;) {
    const wait = rng.int(min, max)
    if (performance.now() + wait >= end) break
    await sleep(wait)
    const fault = rng.pick(faults)
    const t0 = performance.now()
    const at = Math.round((t0 - started) / 100) / 10
    let detail: string
    let failed = false
    try {
      detail = await fault.run(rng)
    } catch (err) {
      failed = true
      detail = `failed: ${(err as Error).message}`
    }
    const record = { at, fault: fault.name, ms: Math.round(performance.now() - t0), detail, failed }
    records.push(record)
    log(`# ${String(at).padStart(6)} s  ${fault.name.padEnd(12)} ${String(record.ms).padStart(6)} ms  ${detail}`)
  }
  const rest = end - performance.now()
  if (rest > 0) await sleep(rest)
  return records
}

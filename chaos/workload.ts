// What every workload of the soak is: a pattern driven by a few lanes of operations, with its
// counters (Tracker) and the invariants it checks once the faults have stopped.
import { setTimeout as sleep } from 'node:timers/promises'
import type { RedisClient } from '../lib/shared/client.js'
import type { SoakDurability } from './durability.js'
import type { Random } from './random.js'
import type { Tracker } from './tracker.js'

export { codeOf } from './tracker.js'

export interface WorkloadContext {
  /** A new client of the soak's topology, with the package's recommended options. */
  client (name: string): RedisClient
  rng: Random
  /** Key prefix of every core (keeps the soak's keys apart from anything else). */
  prefix: string
  /** The `durability` option of the queue, the session stores and the boards. */
  durability: SoakDurability
}

export type Status = 'held' | 'broken' | 'n/a'

/** One invariant's outcome, with the figures behind it. */
export interface Verdict {
  invariant: string
  status: Status
  detail: string
}

export interface Workload {
  readonly tracker: Tracker
  /** The workload's cores took the `durability` option (undefined: it does not use it). */
  readonly durable?: boolean
  /** Redis keys holding the workload's state: a slot migration moves the slot of one of them. */
  readonly keys: readonly string[]
  /** Starts the workload's lanes on `load`. */
  start (load: Load): void
  /** After the load stopped: waits (until `deadline`, performance.now() ms) for what must settle. */
  settle? (deadline: number): Promise<void>
  check (): Promise<Verdict[]>
  close (): Promise<void>
}

/** The lanes of every workload: each runs one operation at a time, paced, until stopped. */
export class Load {
  #stopped = false
  readonly #lanes: Array<Promise<void>> = []

  get stopped (): boolean {
    return this.#stopped
  }

  /** Runs `op` over and over with `paceMs` between runs. `op` must not reject: it counts its own errors. */
  lane (paceMs: number, op: () => Promise<void>): void {
    this.#lanes.push((async () => {
      while (!this.#stopped) {
        await op()
        await sleep(paceMs)
      }
    })())
  }

  /** Stops every lane and waits for their operations in flight. */
  async stop (): Promise<void> {
    this.#stopped = true
    await Promise.all(this.#lanes)
  }
}

/** Waits `ms`, or less when `signal` aborts (the work of a lock holder or a job). */
export async function hold (ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => {})
}

/** Polls `check` until it is true or `deadline` (performance.now() ms) passes; the last answer. */
export async function until (deadline: number, check: () => boolean | Promise<boolean>, every = 100): Promise<boolean> {
  for (;;) {
    if (await check()) return true
    if (performance.now() > deadline) return false
    await sleep(every)
  }
}

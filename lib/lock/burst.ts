// The Locker's `burst` option. A caller that releases a lock and acquires it again in the same
// event-loop turn (a loop of acquire → work → release) would pay a release and an acquire round
// trip, and, with others waiting in line, a cross-process handoff, for a lock it wants right back.
// With `burst` > 1 the Locker parks a released lock until the end of the turn instead: an acquire
// of the same key in that turn takes it over with no Redis call at all, up to `burst` leases in a
// row; at the end of the turn, or of the burst, the lock goes back to Redis (to the next in line).
//
// A reused lease keeps the lock's owner token in Redis and carries a fencing token issued here,
// the previous lease's + 1. The release that ends the burst raises the Redis counter to the last
// one (release-4.lua's floor) before any other token is issued, so tokens still only grow.

/** A lock released by its lease and kept for a re-acquire in this event-loop turn. */
export interface Parked {
  /** The owner token the lock holds in Redis (the same for every lease of the burst). */
  readonly token: string
  /** The fencing token of the last lease (undefined: unfenced). */
  readonly fence: number | undefined
  readonly ttl: number
  /** When the lock's TTL runs out, on the local monotonic clock (less the drift allowance). */
  readonly deadline: number
  /** Leases of the burst so far. */
  readonly turn: number
}

/**
 * The fencing floor a release of a burst's lease sends (release-4.lua): the lease's token when this
 * process issued it (a reused lease, `turn` > 1, fenced), else 0 (Redis issued it: nothing to raise).
 */
export function fenceFloor (turn: number, fence: number | undefined): number {
  return turn > 1 && fence !== undefined ? fence : 0
}

/** Releases a parked lock in Redis (with the floor of its fencing tokens). */
export type ReleaseParked = (redisKey: string, parked: Parked) => Promise<void>

export class Parking {
  readonly #parked = new Map<string, Parked & { immediate: NodeJS.Immediate }>()
  /** Releases started by the end of a turn, until Redis answers (close() waits for them). */
  readonly #releasing = new Map<string, Promise<void>>()
  readonly #burst: number
  readonly #minValidity: number
  readonly #release: ReleaseParked

  /** `burst`: leases in a row at most; `minValidity`: the share of the TTL a reused lease must have left. */
  constructor (burst: number, minValidity: number, release: ReleaseParked) {
    this.#burst = burst
    this.#minValidity = minValidity
    this.#release = release
  }

  /**
   * Keeps the lock of a lease being released, for an acquire in this event-loop turn. False when
   * the burst is over or too little of the TTL is left (the lease then releases it in Redis).
   */
  park (redisKey: string, parked: Parked): boolean {
    if (parked.turn >= this.#burst || this.#parked.has(redisKey)) return false
    if (parked.deadline - performance.now() < parked.ttl * this.#minValidity) return false
    const immediate = setImmediate(() => { this.#flush(redisKey) })
    this.#parked.set(redisKey, { ...parked, immediate })
    return true
  }

  /**
   * The parked lock of `redisKey`, for an acquire with this TTL and fencing choice: taken over
   * (the caller makes the next lease of the burst); or null with `wait` set when a release of it is
   * under way (a parked lock that does not fit, or one already released at the end of a turn):
   * the acquire waits for it, so that it does not queue in Redis behind its own process.
   */
  take (redisKey: string, ttl: number, fenced: boolean): Parked | { wait: Promise<void> } | null {
    const parked = this.#parked.get(redisKey)
    if (parked === undefined) {
      const releasing = this.#releasing.get(redisKey)
      return releasing === undefined ? null : { wait: releasing }
    }
    if (parked.ttl === ttl && (parked.fence !== undefined) === fenced &&
        parked.deadline - performance.now() >= ttl * this.#minValidity) {
      clearImmediate(parked.immediate)
      this.#parked.delete(redisKey)
      return parked
    }
    return { wait: this.#flush(redisKey) }
  }

  /** Releases every parked lock now, and waits for every release under way (Locker.close()). */
  async flushAll (): Promise<void> {
    for (const key of [...this.#parked.keys()]) this.#flush(key)
    await Promise.all(this.#releasing.values())
  }

  /** Releases the parked lock of `redisKey` in Redis; resolves when Redis answered (never rejects). */
  #flush (redisKey: string): Promise<void> {
    const parked = this.#parked.get(redisKey)
    if (parked === undefined) return this.#releasing.get(redisKey) ?? Promise.resolve()
    clearImmediate(parked.immediate)
    this.#parked.delete(redisKey)
    const done = this.#release(redisKey, parked).finally(() => {
      if (this.#releasing.get(redisKey) === done) this.#releasing.delete(redisKey)
    })
    this.#releasing.set(redisKey, done)
    return done
  }
}

// Locks this process recently found waited for. A release first tries the one-key uncontended
// script (release-unmarked-1.lua), which only answers "marked" for a lock with waiters: on a hot
// lock that would be a wasted round trip on every turn, in the handoff's critical path. So a lock
// seen marked, or just handed over, is remembered for a while and released with the handoff
// script (release-4.lua) straight away.

/** How long (ms) a lock counts as contended after the last sign of it. */
const CONTENDED_MS = 1000
/** Locks remembered at most (the oldest sign is forgotten first). */
const MAX_KEYS = 1024

export class Contended {
  /** Lock key → until when (local monotonic clock) its releases go straight to the handoff. */
  readonly #until = new Map<string, number>()

  has (key: string): boolean {
    // The uncontended hot path: nothing remembered, nothing to look up or time.
    if (this.#until.size === 0) return false
    const until = this.#until.get(key)
    if (until === undefined) return false
    if (until > performance.now()) return true
    this.#until.delete(key)
    return false
  }

  /** A sign of waiters on `key`: a release found it marked, or handed it over. */
  mark (key: string): void {
    // Deleted first, so the Map's insertion order stays the order of the last signs.
    this.#until.delete(key)
    this.#until.set(key, performance.now() + CONTENDED_MS)
    if (this.#until.size > MAX_KEYS) this.#until.delete(this.#until.keys().next().value as string)
  }
}

// In-process FIFO per lock: callers of one Locker that want the same lock take turns locally,
// and only the head of the line competes in Redis. Without it, every release wakes every local
// waiter, all but one fail their retry, and a caller that releases and re-acquires in a loop
// starves the others; with it, local hand-offs are first come, first served and cost one attempt.

/**
 * What the line needs of its holder's lease: to hand over at the lease's deadline even if it is
 * never released. Declared here rather than importing Lease, which itself leaves this line on
 * release: the two modules would otherwise import each other.
 */
export interface LineHolder {
  watchDeadline (): void
}

interface Line {
  /** The local holder's lease, once acquired (null while the head is still acquiring). */
  holder: LineHolder | null
  /** Callers waiting for their turn (allocated on first use: most lines never have any). */
  queue: Array<(entered: boolean) => void> | null
}

export class LocalQueue {
  readonly #lines = new Map<string, Line>()

  /** Takes the head of the line for `key` if nobody in this process has it; true on success. */
  enterNow (key: string): boolean {
    if (this.#lines.has(key)) return false
    this.#lines.set(key, { holder: null, queue: null })
    return true
  }

  /**
   * Waits for the turn on `key` (after `enterNow` returned false). Resolves true at the turn,
   * false when `timeoutMs` passes or `signal` aborts first.
   */
  wait (key: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<boolean> {
    const line = this.#lines.get(key)
    if (line === undefined) return Promise.resolve(this.enterNow(key))
    // A holder that is never released must still hand over at its deadline.
    line.holder?.watchDeadline()
    const queue = (line.queue ??= [])
    return new Promise<boolean>(resolve => {
      const onAbort = (): void => done(false)
      const timer = setTimeout(() => done(false), Math.max(0, timeoutMs))
      const turn = (entered: boolean): void => done(entered)
      queue.push(turn)
      signal?.addEventListener('abort', onAbort, { once: true })
      function done (entered: boolean): void {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        const i = queue.indexOf(turn)
        if (i !== -1) queue.splice(i, 1)
        resolve(entered)
      }
    })
  }

  /** Records the lease of the head of the line. */
  hold (key: string, lease: LineHolder): void {
    const line = this.#lines.get(key)
    if (line === undefined) return
    line.holder = lease
    if (line.queue !== null && line.queue.length > 0) lease.watchDeadline()
  }

  /** Ends the turn of the head of the line: the next caller in line goes on. */
  leave (key: string): void {
    const line = this.#lines.get(key)
    if (line === undefined) return
    line.holder = null
    const next = line.queue?.shift()
    if (next === undefined) this.#lines.delete(key)
    else next(true)
  }
}

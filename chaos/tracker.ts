// Per-pattern counters of the soak: operations, errors (by code) and the longest outage, i.e. the
// longest stretch during the load with no successful operation of that pattern.

export class Tracker {
  readonly pattern: string
  ops = 0
  errors = 0
  readonly codes = new Map<string, number>()
  /** The first message seen of each code. */
  readonly samples = new Map<string, string>()
  #started = 0
  #lastOk = 0
  #longest = 0
  #stopped = false

  constructor (pattern: string) {
    this.pattern = pattern
  }

  /** The load starts: outages are measured from now. */
  start (): void {
    this.#started = this.#lastOk = performance.now()
  }

  /** A successful operation. */
  ok (): void {
    this.ops++
    this.#mark()
  }

  /** Runs one operation: a success when it resolves, a failure (counted by code) when it rejects. */
  async attempt (op: () => Promise<unknown>): Promise<void> {
    try {
      await op()
      this.ok()
    } catch (err) {
      this.fail(err)
    }
  }

  /** An operation that neither failed nor succeeded (a lock wait that timed out under contention). */
  neutral (): void {
    this.ops++
  }

  /** A failed operation; its error code is counted. */
  fail (err: unknown): void {
    this.ops++
    this.errors++
    const code = codeOf(err)
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1)
    if (!this.samples.has(code)) this.samples.set(code, String((err as Error)?.message ?? err).slice(0, 200))
  }

  /** An error reported by a background loop (a worker's take, a heartbeat), not an operation. */
  background (err: unknown): void {
    this.fail(err)
    this.ops--
  }

  /** The load stops: the stretch since the last success counts too. */
  stop (): void {
    if (this.#stopped) return
    this.#mark()
    this.#stopped = true
  }

  /** Longest stretch (ms) without a successful operation while the load ran. */
  get longestOutage (): number {
    return this.#longest
  }

  get started (): number {
    return this.#started
  }

  #mark (): void {
    if (this.#stopped) return
    const now = performance.now()
    if (now - this.#lastOk > this.#longest) this.#longest = now - this.#lastOk
    this.#lastOk = now
  }
}

/** The code of a coded error (FRP_...), or its name. */
export function codeOf (err: unknown): string {
  const code = (err as { code?: unknown })?.code
  return typeof code === 'string' ? code : (err as Error)?.name ?? 'Error'
}

// The invalidation bus: every invalidation (key, tag, prefix, clear) is published on one channel
// per key prefix, from inside the Lua script that performs it (the write and the broadcast succeed
// or fail together); every instance drops the matching L1 entries.
//
// Pub/sub loses messages sent while a subscriber is away, so L1 is trusted only while the shared
// notifier (one subscriber connection per client) is live: on 'down' L1 is flushed and bypassed;
// on 'up' (every channel confirmed resubscribed) it is flushed again, because messages may have
// been missed in between, and used again.
import type { Notifier } from '../shared/notifier.js'
import type { L1 } from './l1.js'

export type BusKind = 'k' | 't' | 'p' | 'c'

export interface BusHooks {
  onMessage: (kind: BusKind, subject: string) => void
  onFlush: (reason: 'down' | 'up') => void
}

export class InvalidationBus {
  readonly channel: string
  readonly #notifier: Notifier
  readonly #l1: L1 | null
  /** This instance's id: its own messages are skipped (it already updated its L1). */
  readonly #id: string
  readonly #hooks: BusHooks
  #off: (() => void) | null = null
  readonly #onDown = (): void => this.#flush('down', false)
  readonly #onUp = (): void => this.#flush('up', true)

  constructor (notifier: Notifier, channel: string, l1: L1 | null, id: string, hooks: BusHooks) {
    this.#notifier = notifier
    this.channel = channel
    this.#l1 = l1
    this.#id = id
    this.#hooks = hooks
  }

  /** A message: `<sender id>|<kind><subject>`. */
  message (kind: BusKind, subject = ''): string {
    return `${this.#id}|${kind}${subject}`
  }

  /** Subscribes; resolves when the bus is live (rejects after `timeoutMs`, L1 then stays off until 'up'). */
  async start (timeoutMs: number): Promise<void> {
    this.#notifier.on('down', this.#onDown)
    this.#notifier.on('up', this.#onUp)
    this.#off = await this.#notifier.subscribe(this.channel, m => this.#receive(m), timeoutMs)
    if (this.#l1 !== null && this.#notifier.isLive) {
      this.#l1.clear()
      this.#l1.live = true
    }
  }

  #flush (reason: 'down' | 'up', live: boolean): void {
    if (this.#l1 === null) return
    this.#l1.live = false
    this.#l1.clear()
    this.#l1.live = live
    this.#hooks.onFlush(reason)
  }

  #receive (m: string): void {
    const bar = m.indexOf('|')
    if (bar < 0 || m.slice(0, bar) === this.#id) return
    const kind = m[bar + 1] as BusKind
    const subject = m.slice(bar + 2)
    if (this.#l1 !== null) {
      switch (kind) {
        case 'k': this.#l1.delete(subject); break
        case 't': this.#l1.deleteTag(subject); break
        case 'p': this.#l1.deletePrefix(subject); break
        case 'c': this.#l1.clear(); break
        default: this.#l1.clear() // unknown message: the safe reaction
      }
    }
    this.#hooks.onMessage(kind, subject)
  }

  stop (): void {
    this.#notifier.off('down', this.#onDown)
    this.#notifier.off('up', this.#onUp)
    this.#off?.()
    this.#off = null
    if (this.#l1 !== null) { this.#l1.live = false; this.#l1.clear() }
  }
}

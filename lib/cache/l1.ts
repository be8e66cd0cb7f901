// The in-process L1: a bounded LRU (entry count and bytes) of decoded values.
//
// Coherence rules (see invalidation-bus.ts): L1 is used only while the invalidation bus is live;
// every invalidation, local or heard on the bus, bumps `epoch`; a value read from Redis (or
// fetched) is put in L1 only if no invalidation happened since the read was started, so a reply
// that raced an invalidation message cannot re-insert what the message dropped.
import { LRUCache } from 'lru-cache'

export interface L1Entry {
  value: unknown
  /** Local time (ms) after which the entry is not served. */
  expires: number
  /** Redis time (ms) at which the value was stored in L2 (for `age`). */
  createdAt: number
  tags: readonly string[] | null
}

export interface L1Settings { maxEntries: number, maxBytes: number }

export class L1 {
  /** Bumped on every invalidation; fills started before a bump are dropped. */
  epoch = 0
  /** False while the bus is not live: reads miss and fills are ignored. */
  live = false
  readonly #lru: LRUCache<string, L1Entry>
  readonly #byTag = new Map<string, Set<string>>()

  constructor (settings: L1Settings) {
    this.#lru = new LRUCache<string, L1Entry>({
      max: settings.maxEntries,
      maxSize: settings.maxBytes,
      dispose: (entry, key) => this.#untag(key, entry)
    })
  }

  get size (): number { return this.#lru.size }
  get bytes (): number { return this.#lru.calculatedSize }

  /** The fresh entry for `key`, or undefined. */
  get (key: string): L1Entry | undefined {
    if (!this.live) return undefined
    const e = this.#lru.get(key)
    if (e === undefined) return undefined
    if (e.expires > Date.now()) return e
    this.#lru.delete(key)
    return undefined
  }

  /** Stores `entry` unless an invalidation happened since `epoch` was read. */
  set (key: string, entry: L1Entry, size: number, epoch: number): void {
    if (!this.live || epoch !== this.epoch || entry.expires <= Date.now()) return
    this.#lru.set(key, entry, { size: size > 0 ? size : 1 })
    if (entry.tags !== null && this.#lru.peek(key) === entry) {
      for (const t of entry.tags) {
        let set = this.#byTag.get(t)
        if (set === undefined) this.#byTag.set(t, (set = new Set()))
        set.add(key)
      }
    }
  }

  delete (key: string): void {
    this.epoch++
    this.#lru.delete(key)
  }

  deleteTag (tag: string): void {
    this.epoch++
    const keys = this.#byTag.get(tag)
    if (keys === undefined) return
    for (const k of [...keys]) this.#lru.delete(k)
    this.#byTag.delete(tag)
  }

  deletePrefix (prefix: string): void {
    this.epoch++
    for (const k of [...this.#lru.keys()]) if (k.startsWith(prefix)) this.#lru.delete(k)
  }

  clear (): void {
    this.epoch++
    this.#lru.clear()
    this.#byTag.clear()
  }

  #untag (key: string, entry: L1Entry): void {
    if (entry.tags === null) return
    for (const t of entry.tags) {
      const set = this.#byTag.get(t)
      if (set === undefined) continue
      set.delete(key)
      if (set.size === 0) this.#byTag.delete(t)
    }
  }
}

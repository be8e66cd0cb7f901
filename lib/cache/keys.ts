// Key and channel names of one cache. The entry, generation and lease of a cache key share the
// key's hash tag (one slot: the scripts touch them together); a tag's version lives in its own
// space and slot; a write-behind buffer lives under its own tag.
import { randomInt } from 'node:crypto'
import { keySpace, type KeySpace } from '../shared/keys.js'

export class CacheKeys {
  readonly space: KeySpace
  readonly tagSpace: KeySpace
  readonly bufferSpace: KeySpace
  /** Invalidation broadcasts. */
  readonly busChannel: string
  /** "Key filled (or lease released)" wake-ups for waiters. */
  readonly fillChannel: string

  constructor (prefix: string) {
    this.space = keySpace(prefix, 'cache')
    this.tagSpace = keySpace(prefix, 'cache-tag')
    this.bufferSpace = keySpace(prefix, 'cache-wb')
    this.busChannel = `${this.space.base}:bus`
    this.fillChannel = `${this.space.base}:fill`
  }

  entry (key: string): string { return this.space.tagged(key) }
  /** [entry, generation, lease] of one cache key, in the order the scripts expect. */
  triple (key: string): [string, string, string] {
    const e = this.space.tagged(key)
    return [e, e + ':g', e + ':l']
  }

  tag (tag: string): string { return this.tagSpace.tagged(tag) }
}

/** A random integer (as a string) to create a generation or tag version with. */
export function randomVersion (): string {
  return String(randomInt(1, 2 ** 47))
}

/** Reverses escapeTag (lib/shared/keys.ts): '%7B' -> '{', '%7D' -> '}', '%25' -> '%'. */
export function unescapeTag (tag: string): string {
  return tag.includes('%') ? tag.replace(/%([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : tag
}

// One source of truth for key names: `prefix:pattern:{tag}:rest...`.
//
// Everything that belongs to one logical object (a cache entry and its generation, a lock and its
// fencing counter, a queue and all its jobs) is built with the same tag, so Redis Cluster puts
// them in one slot and a Lua script may touch them together.
import { FRP_INVALID_KEY } from './errors.js'
import { describe } from './options.js'

export interface KeySpace {
  /** `prefix:pattern` — every key of the space starts with this. */
  readonly base: string
  /** A key inside the hash tag `tag`: `base:{tag}` or `base:{tag}:rest[0]:rest[1]...`. */
  key (tag: string, ...rest: Array<string | number>): string
  /** The hash-tagged head `base:{tag}` (useful as a SCAN/MATCH stem). */
  tagged (tag: string): string
}

/**
 * Escapes the characters that would end or nest a hash tag, so an arbitrary user string (a
 * cache key, a user id) can be a tag without moving the slot computation.
 */
export function escapeTag (tag: string): string {
  return /[{}%]/.test(tag) ? tag.replace(/[{}%]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase()) : tag
}

function checkPart (value: unknown, what: string): string {
  // describe(), not String(): String(Object.create(null)) throws a bare TypeError.
  if (typeof value !== 'string' && typeof value !== 'number') throw new FRP_INVALID_KEY(describe(value), `${what} must be a string`)
  const s = String(value)
  if (s.length === 0) throw new FRP_INVALID_KEY(s, `${what} must not be empty`)
  return s
}

function checkFixedPart (value: unknown, what: string): string {
  const s = checkPart(value, what)
  // A brace in the prefix or pattern would become the hash tag of every key and put the whole
  // space into one slot.
  if (/[{}]/.test(s)) throw new FRP_INVALID_KEY(s, `${what} must not contain "{" or "}"`)
  return s
}

/** Builds the key space of one pattern under the application's global prefix. */
export function keySpace (prefix: string, pattern: string): KeySpace {
  const base = `${checkFixedPart(prefix, 'prefix')}:${checkFixedPart(pattern, 'pattern')}`
  const tagged = (tag: string): string => `${base}:{${escapeTag(checkPart(tag, 'tag'))}}`
  return {
    base,
    tagged,
    key (tag, ...rest) {
      let k = tagged(tag)
      for (const part of rest) k += ':' + checkPart(part, 'key part')
      return k
    }
  }
}

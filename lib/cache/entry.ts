// The L2 entry format. The store script prepends a header written with Redis time:
//   <freshUntil ms>,<fetch duration ms>,<createdAt ms>,<tags length>;<tags blob><codec payload>
// so a read is one plain GET and a few indexOf calls. The tags blob is ASCII JSON
// [[tag, version], ...] (non-ASCII escaped) so its length is the same in Lua bytes and JS chars.

export interface Entry {
  /** Redis time (ms) until which the entry is fresh. */
  freshUntil: number
  /** How long the fetch took (ms): the XFetch delta. */
  delta: number
  /** Redis time (ms) at which the entry was stored. */
  createdAt: number
  /** Tags with the versions they had when the value was fetched, or null. */
  tags: Array<[string, string]> | null
  /** The codec payload of the value. */
  payload: string
}

/** Parses a stored entry; returns null when it is not in the expected shape (a corrupt entry). */
export function parseEntry (raw: string): Entry | null {
  const a = raw.indexOf(',')
  const b = raw.indexOf(',', a + 1)
  const c = raw.indexOf(',', b + 1)
  const semi = raw.indexOf(';', c + 1)
  if (a <= 0 || b < 0 || c < 0 || semi < 0) return null
  const freshUntil = Number(raw.slice(0, a))
  const delta = Number(raw.slice(a + 1, b))
  const createdAt = Number(raw.slice(b + 1, c))
  const tagsLen = Number(raw.slice(c + 1, semi))
  if (!(freshUntil > 0) || !(delta >= 0) || !(createdAt > 0) || !(tagsLen >= 0) || semi + 1 + tagsLen > raw.length) return null
  let tags: Array<[string, string]> | null = null
  if (tagsLen > 0) {
    try {
      tags = JSON.parse(raw.slice(semi + 1, semi + 1 + tagsLen))
    } catch {
      return null
    }
    if (!Array.isArray(tags)) return null
  }
  return { freshUntil, delta, createdAt, tags, payload: raw.slice(semi + 1 + tagsLen) }
}

/** The tags blob stored with an entry: ASCII-only JSON of [tag, version] pairs ('' when none). */
export function tagsBlob (tags: readonly string[], versions: readonly string[]): string {
  if (tags.length === 0) return ''
  const pairs: Array<[string, string]> = tags.map((t, i) => [t, versions[i]])
  return JSON.stringify(pairs).replace(/[\u007f-\uffff]/g, ch => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'))
}

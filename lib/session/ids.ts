// Session ids: `<tag>.<secret>`. The secret part is 32 bytes from the CSPRNG (base64url, 43
// characters); the tag is the Redis Cluster hash tag of the session's keys. An anonymous session
// gets a random tag; a session bound to a user gets the tag of that user, so the session hash and
// the user's index live in one slot and every script touching both stays atomic on Cluster.
// Regenerating keeps the tag, so "create new, kill old" is one script as well.
import { createHash, randomFillSync } from 'node:crypto'

const SECRET_BYTES = 32
const ANON_TAG_BYTES = 6
const ID_RE = /^([A-Za-z0-9_-]{8,16})\.([A-Za-z0-9_-]{43})$/

// Random bytes are drawn in blocks: one syscall-backed fill serves many ids.
const POOL_SIZE = 64 * (SECRET_BYTES + ANON_TAG_BYTES)
const pool = Buffer.allocUnsafe(POOL_SIZE)
let offset = POOL_SIZE

function random (bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool)
    offset = 0
  }
  // The offset only moves forward until the next fill, so bytes are never handed out twice.
  const s = pool.toString('base64url', offset, offset + bytes)
  offset += bytes
  return s
}

export interface ParsedId {
  tag: string
  secret: string
}

/** The hash tag of every session of `userId`: 'u' + 15 base64url characters of SHA-256(userId). */
export function userTag (userId: string): string {
  return 'u' + createHash('sha256').update(userId).digest('base64url').slice(0, 15)
}

/** A new session id under `tag` (a new random tag when omitted). */
export function newSessionId (tag?: string): string {
  return (tag ?? random(ANON_TAG_BYTES)) + '.' + random(SECRET_BYTES)
}

/** Splits a well-formed id into tag and secret; null for anything else. */
export function parseSessionId (id: unknown): ParsedId | null {
  if (typeof id !== 'string' || id.length > 60) return null
  const m = ID_RE.exec(id)
  return m === null ? null : { tag: m[1], secret: m[2] }
}

/** True when `id` is a well-formed session id (parseSessionId without the allocations). */
export function isSessionId (id: unknown): id is string {
  return typeof id === 'string' && id.length <= 60 && ID_RE.test(id)
}

/** The hash tag of a well-formed id (callers have validated it). */
export function tagOf (id: string): string {
  return id.slice(0, id.indexOf('.'))
}

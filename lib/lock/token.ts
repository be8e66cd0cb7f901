// 128-bit random owner tokens from the CSPRNG. Random bytes are drawn in 4 KiB batches: one
// syscall per 256 tokens instead of one per acquisition, on the lock's hot path.
import { randomFillSync } from 'node:crypto'

const TOKEN_BYTES = 16
const pool = Buffer.alloc(4096)
let offset = pool.length

/** A new 128-bit random token, base64url (22 characters). */
export function newToken (): string {
  if (offset + TOKEN_BYTES > pool.length) {
    randomFillSync(pool)
    offset = 0
  }
  const token = pool.toString('base64url', offset, offset + TOKEN_BYTES)
  offset += TOKEN_BYTES
  return token
}

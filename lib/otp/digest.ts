// What Redis stores of a code: HMAC-SHA256 keyed with the server's secret over the subject and the
// code, never the code itself. A plain SHA-256 would not hide a 6-digit code: anyone who can read
// Redis (a replica, a backup, MONITOR, a leaked RDB) hashes the 10^6 candidates in milliseconds
// and finds it. Keyed with a secret that only the app holds, the digest is useless without it.
// The subject is part of the message, so a digest copied to another subject's key never matches.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'

/** The digest of `code` for `subject` under `secret`, base64url (43 characters, fixed length). */
export function codeDigest (secret: Buffer | KeyObject, subject: string, code: string): string {
  // Length-prefixed: no (subject, code) pair can produce the message of another pair.
  return createHmac('sha256', secret).update(`${subject.length}:${subject}:${code}`).digest('base64url')
}

/** `secret` as a KeyObject, made once: an HMAC keyed with it skips the key's import on every call. */
export function digestKey (secret: Buffer): KeyObject {
  return createSecretKey(secret)
}

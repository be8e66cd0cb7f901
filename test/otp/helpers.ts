// Shared by the one-time codes tests: a secret, and a core on a fresh prefix.
import type { Redis, Cluster } from 'ioredis'
import { OneTimeCodes } from '../../lib/otp/one-time-codes.js'
import type { OneTimeCodesOptions } from '../../lib/otp/options.js'

export const SECRET = 'an-otp-test-secret-of-at-least-32-bytes'
export const OLD_SECRET = 'an-older-otp-secret-of-at-least-32-bytes'

let n = 0

/** A OneTimeCodes on its own prefix, so the subtests of one file never share keys. */
export function codes (redis: Redis | Cluster, options: Partial<OneTimeCodesOptions> = {}): OneTimeCodes {
  return new OneTimeCodes(redis, { secret: SECRET, prefix: `otp${++n}`, ...options })
}

/** Any code of `code`'s length that is not `code` (digits). */
export function wrongCode (code: string): string {
  const first = code[0] === '0' ? '1' : '0'
  return first + code.slice(1)
}

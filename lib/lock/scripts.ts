// The lock's Lua scripts, and the decoding of the acquire script's reply.
import { loadScripts } from '../shared/scripts.js'

export type LockScript = 'acquire' | 'release' | 'extend' | 'raise-fence' | 'force-release'

export const scripts = loadScripts<LockScript>('lock', new URL('.', import.meta.url))

/**
 * Decodes an acquire reply: a positive number is the fencing token; otherwise the holder's
 * remaining TTL in ms is returned as a negative number (`-(pttl) - 1`; 0 = unknown).
 */
export function remainingTtl (reply: number): number {
  return -reply - 1
}

// The lock's Lua scripts, and the decoding of the acquire script's reply.
import { loadScripts } from '../shared/scripts.js'

export type LockScript = 'acquire' | 'acquire-unfenced' | 'wait' | 'release' | 'release-unmarked' | 'extend' | 'raise-fence' | 'force-release'

export const scripts = loadScripts<LockScript>('lock', new URL('.', import.meta.url))

/**
 * Decodes a refused acquire's reply. An acquire reply is a fencing token (>= 1), 0 (taken without
 * fencing) or, when the lock is held, the holder's remaining TTL in ms as `-(pttl) - 1` (<= -1);
 * this returns that TTL (0 = unknown).
 */
export function remainingTtl (reply: number): number {
  return -reply - 1
}

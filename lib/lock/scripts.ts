// The lock's Lua scripts, and the one place where their replies and Redis failures are
// translated into what the core understands.
import { loadScripts } from '../shared/scripts.js'
import { asUnavailable, withTimeout, type RedisClient } from '../shared/connection.js'

export type LockScript = 'acquire' | 'release' | 'extend' | 'raise-fence'

export const scripts = loadScripts<LockScript>('lock', new URL('.', import.meta.url))

/**
 * Runs `name` on `redis`, bounded by `timeout` ms. Any failure becomes a coded error
 * (FRP_REDIS_TIMEOUT, or FRP_REDIS_UNAVAILABLE carrying the original as `cause`).
 */
export async function run (redis: RedisClient, name: LockScript, keys: readonly string[], args: ReadonlyArray<string | number>, timeout: number): Promise<number> {
  try {
    return await withTimeout(scripts.run<number>(redis, name, keys, args), timeout)
  } catch (err) {
    throw translate(err)
  }
}

/** The shared translation (lib/shared/connection.ts), under the name the lock core uses. */
export const translate = asUnavailable

/**
 * Decodes an acquire reply: a positive number is the fencing token; otherwise the holder's
 * remaining TTL in ms is returned as a negative number (`-(pttl) - 1`; 0 = unknown).
 */
export function remainingTtl (reply: number): number {
  return -reply - 1
}

// The lock's Lua scripts, and the one place where their replies and Redis failures are
// translated into what the core understands.
import { loadScripts } from '../shared/scripts.js'
import { withTimeout, type RedisClient } from '../shared/connection.js'
import { FRP_REDIS_UNAVAILABLE, isFrpError } from '../shared/errors.js'

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

export function translate (err: unknown): Error {
  if (isFrpError(err)) return err
  const e = new FRP_REDIS_UNAVAILABLE((err as Error)?.message ?? String(err))
  e.cause = err
  return e
}

/**
 * Decodes an acquire reply: a positive number is the fencing token; otherwise the holder's
 * remaining TTL in ms is returned as a negative number (`-(pttl) - 1`; 0 = unknown).
 */
export function remainingTtl (reply: number): number {
  return -reply - 1
}

// Bounds every Redis wait of the queue. When the client already enforces a commandTimeout no
// longer than ours, its own timer does the job and we skip a timer and a promise per call (that
// is measurable on serial adds).
import { ownTimeout, withTimeout } from '../shared/connection.js'
import type { RedisClient } from '../shared/scripts.js'

export type Bound = <V>(p: Promise<V>) => Promise<V>

export function boundFor (redis: RedisClient, ms: number): Bound {
  if (ownTimeout(redis, ms) === 0) return p => p
  return p => withTimeout(p, ms)
}

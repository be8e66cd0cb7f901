// View counters: one INCR per product view, on its own key (no hash tag shared with anything:
// counters of different products spread over the Cluster). No TTL by default; an admin may give
// the family one (routes/api/admin-ttl.ts).
import type { Redis } from 'ioredis'
import { keys } from './keys.js'
import { redisCall } from './redis-call.js'

/** Counts one view of `productId`; returns the count including it. */
export async function countView (redis: Redis, productId: number): Promise<number> {
  return await redisCall(redis, 'INCR', redis.incr(keys.productViews(productId)))
}

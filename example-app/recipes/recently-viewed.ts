// A capped "recently viewed" list per user: LREM the product (a second view moves it to the
// front instead of listing it twice), LPUSH it, LTRIM to the cap, refresh the TTL: one MULTI, so
// a concurrent view of the same user never sees the list uncapped or with a duplicate. One key,
// so no hash tag is needed.
import type { Redis } from 'ioredis'
import { keys } from './keys.js'
import { redisCall } from './redis-call.js'
import { redisError } from '../../lib/shared/call-policy.js'

export const RECENT_CAP = 10
/** Kept 30 days after the user's last view. */
export const RECENT_TTL_SECONDS = 30 * 24 * 3600

export async function recordView (redis: Redis, userId: number, productId: number): Promise<void> {
  const key = keys.recentlyViewed(userId)
  const replies = await redisCall(redis, 'MULTI', redis.multi()
    .lrem(key, 0, productId)
    .lpush(key, productId)
    .ltrim(key, 0, RECENT_CAP - 1)
    .expire(key, RECENT_TTL_SECONDS)
    .exec())
  const failed = replies?.find(([err]) => err !== null)
  if (replies === null || failed !== undefined) throw redisError(failed?.[0] ?? new Error('recently viewed: transaction aborted'), undefined, { command: 'EXEC' })
}

/** The user's recently viewed product ids, newest first. */
export async function recentlyViewed (redis: Redis, userId: number): Promise<number[]> {
  return (await redisCall(redis, 'LRANGE', redis.lrange(keys.recentlyViewed(userId), 0, RECENT_CAP - 1))).map(Number)
}

// The key families whose expiry an admin may read and change: each maps an id to exactly one key
// of the recipes, so the admin route can never touch an arbitrary key (sessions, locks, queues…).
import type { Redis } from 'ioredis'
import { keys } from './keys.js'
import { redisCall } from './redis-call.js'

export const TTL_FAMILIES = {
  'recently-viewed': { key: keys.recentlyViewed, id: 'user id' },
  'product-views': { key: keys.productViews, id: 'product id' },
  user: { key: keys.user, id: 'user id' }
} as const

export type TtlFamily = keyof typeof TTL_FAMILIES

export interface KeyExpiry {
  key: string
  exists: boolean
  /** Seconds left; null when the key never expires (or does not exist). */
  ttlSeconds: number | null
  /** When it expires (ISO 8601); null when it never does. */
  expiresAt: string | null
}

export async function expiryOf (redis: Redis, family: TtlFamily, id: number): Promise<KeyExpiry> {
  const key = TTL_FAMILIES[family].key(id)
  const [ttl, [seconds, micros]] = await Promise.all([redisCall(redis, 'TTL', redis.ttl(key)), redisCall(redis, 'TIME', redis.time())])
  // TTL: -2 no such key, -1 no expiry.
  const expires = ttl >= 0
  return {
    key,
    exists: ttl !== -2,
    ttlSeconds: expires ? ttl : null,
    expiresAt: expires ? new Date((Number(seconds) + ttl) * 1000 + Math.floor(Number(micros) / 1000)).toISOString() : null
  }
}

/** Redis's clock, in Unix seconds (EXPIREAT is judged by it, not by this host's clock). */
export async function redisNowSeconds (redis: Redis): Promise<number> {
  return Number((await redisCall(redis, 'TIME', redis.time()))[0])
}

/** EXPIREAT; false when the key does not exist. */
export async function expireAt (redis: Redis, family: TtlFamily, id: number, unixSeconds: number): Promise<boolean> {
  return await redisCall(redis, 'EXPIREAT', redis.expireat(TTL_FAMILIES[family].key(id), unixSeconds)) === 1
}

/** PERSIST; false when the key does not exist or already never expires. */
export async function persist (redis: Redis, family: TtlFamily, id: number): Promise<boolean> {
  return await redisCall(redis, 'PERSIST', redis.persist(TTL_FAMILIES[family].key(id))) === 1
}

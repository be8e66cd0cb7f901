// User points as a field of the user's hash (`HINCRBY example:users:{user:<id>} points n`): other
// per-user counters can sit beside it as fields of the same object. Each increment is bounded, so
// no request can push a total anywhere near HINCRBY's 64-bit limit.
import type { Redis } from 'ioredis'
import { keys } from './keys.js'
import { redisCall } from './redis-call.js'

export const MAX_POINTS_PER_AWARD = 10

/** Points a finished game earns: 1, plus 1 per 1,000 points of score, at most MAX_POINTS_PER_AWARD. */
export const pointsForScore = (score: number): number => Math.min(MAX_POINTS_PER_AWARD, 1 + Math.floor(score / 1000))

/** Adds `n` (1 to MAX_POINTS_PER_AWARD) points to the user; returns the new total. */
export async function awardPoints (redis: Redis, userId: number, n: number): Promise<number> {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_POINTS_PER_AWARD) throw new RangeError(`points award must be 1 to ${MAX_POINTS_PER_AWARD}, got ${n}`)
  return await redisCall(redis, 'HINCRBY', redis.hincrby(keys.user(userId), 'points', n))
}

export async function pointsOf (redis: Redis, userId: number): Promise<number> {
  return Number(await redisCall(redis, 'HGET', redis.hget(keys.user(userId), 'points')) ?? 0)
}

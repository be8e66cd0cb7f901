// Redis server time, the clock our scripts use: tests compare against it instead of the local
// wall clock, so ordering checks do not depend on how fast this machine runs.
import { eventually } from './redis.js'

/** Anything that can run TIME: an ioredis client or Cluster, or a TestRedis's `admin`. */
type TimeSource = { time: () => Promise<unknown> } | ((...args: Array<string | number>) => Promise<unknown>)

/** Redis server time in ms (TIME, rounded down to the millisecond). */
export async function redisMs (source: TimeSource): Promise<number> {
  const [s, us] = (typeof source === 'function' ? await source('TIME') : await source.time()) as [string | number, string | number]
  return Number(s) * 1000 + Math.floor(Number(us) / 1000)
}

/** Waits until Redis server time has moved past the current millisecond. */
export async function nextRedisMs (source: TimeSource): Promise<void> {
  const t0 = await redisMs(source)
  await eventually(async () => (await redisMs(source)) > t0, { what: 'Redis TIME to advance', every: 1 })
}

/** Waits (polling Redis, never a local sleep) until Redis server time reaches `ms`. */
export async function untilRedisMs (source: TimeSource, ms: number, { what = `Redis time ${ms}`, deadline = 30_000 } = {}): Promise<void> {
  await eventually(async () => (await redisMs(source)) >= ms, { what, ms: deadline, every: 20 })
}

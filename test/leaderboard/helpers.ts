// Shared helpers of the leaderboard tests.
import type { Redis, Cluster } from 'ioredis'
import { eventually } from '../helpers/redis.js'

/** Redis server time in ms. */
export async function redisMs (client: Redis | Cluster): Promise<number> {
  const [s, us] = await (client as Redis).time()
  return Number(s) * 1000 + Math.floor(Number(us) / 1000)
}

/** Waits until Redis server time has moved past the current millisecond. */
export async function nextRedisMs (client: Redis | Cluster): Promise<void> {
  const t0 = await redisMs(client)
  await eventually(async () => (await redisMs(client)) > t0, { what: 'Redis TIME to advance', every: 1 })
}

let n = 0
/** A board name unique in this process. */
export function boardName (what: string): string {
  return `${what}-${process.pid}-${++n}`
}

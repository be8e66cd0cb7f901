// Shared set-up for the leaderboard tests: unique board names and Redis server time.
import type { Redis, Cluster } from 'ioredis'
import { eventually } from './redis.js'

let boards = 0
/** A board name unique in this process. */
export function boardName (what: string): string {
  return `${what}-${process.pid}-${++boards}`
}

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

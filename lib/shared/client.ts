// The Redis connection every pattern accepts. A module of its own, depending on nothing of ours,
// so that the script loader, the call policy and the connection helpers can all name it without
// importing each other.
import { Cluster } from 'ioredis'
import type { Redis } from 'ioredis'

/** A connection every pattern accepts: a standalone client or a Cluster. */
export type RedisClient = Redis | Cluster

export function isCluster (redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster || (redis as { isCluster?: boolean }).isCluster === true
}

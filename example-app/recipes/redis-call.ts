// The recipes call Redis directly (no pattern core in between), so they apply the package's call
// policy themselves: the client's commandTimeout bounds every command (example-app/plugins/redis.ts
// sets recommendedRedisOptions), and a failed call becomes the coded error the pattern plugins
// answer with (FRP_REDIS_UNAVAILABLE / FRP_REDIS_TIMEOUT, a 503 with Retry-After to the client)
// instead of ioredis's own error, which Fastify would answer as a 500.
import type { Redis } from 'ioredis'
import { clientCommandTimeout, redisError } from '../../lib/shared/call-policy.js'

/** Settles like `call`; a failure rejects with redisError's coded error naming `command`. */
export async function redisCall<T> (redis: Redis, command: string, call: Promise<T>): Promise<T> {
  try {
    return await call
  } catch (err) {
    throw redisError(err, clientCommandTimeout(redis), { command })
  }
}

// fastify-redis-patterns: one Fastify plugin per Redis pattern, over framework-free cores in lib/.
export * from './lib/shared/errors.js'
export { keySpace, escapeTag, type KeySpace } from './lib/shared/keys.js'
export { createCodec, defaultCodec, type Codec, type CodecOptions } from './lib/shared/codec.js'
export { loadScripts, type ScriptSet, type RedisClient } from './lib/shared/scripts.js'
export { recommendedRedisOptions, createSubscriber, duplicateConnection, withTimeout, scanKeys, isCluster } from './lib/shared/connection.js'
export { checkServer, type ServerFacts, type GuardOptions } from './lib/shared/server-guard.js'
export { Notifier, type Waiter, type WakeReason } from './lib/shared/notifier.js'

// cache
export { redisCache, type RedisCacheOptions, type RouteCacheConfig } from './plugins/cache.js'
export { Cache, type Fetcher, type Lookup, type Lease, type Served, type Effective } from './lib/cache/cache.js'
export type { CacheOptions, CallOptions, L1Options, Logger as CacheLogger } from './lib/cache/options.js'
export type { CacheStats, CacheEvent } from './lib/cache/stats.js'
export { WriteBehind, type WriteBehindOptions, type BufferedWrite } from './lib/cache/write-behind.js'
export type { StoredResponse } from './lib/cache/response.js'

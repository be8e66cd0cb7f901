// The cache pattern's public surface. The route cache's lease-level internals (internals.ts) are
// deliberately not exported: plugins/cache.ts imports them directly.
export { Cache } from './cache.js'
export type { Fetcher } from './wrap.js'
export { normalizeCacheOptions, CACHE_OPTION_NAMES, type CacheOptions, type CallOptions, type L1Options, type Logger, type NormalizedCacheOptions } from './options.js'
export type { CacheStats, CacheEvents, CacheEvent } from './telemetry.js'
export { WriteBehind, type WriteBehindOptions, type WriteBehindEvents, type BufferedWrite } from './write-behind.js'
export type { Duration } from '../shared/options.js'

// fastify-redis-patterns: one Fastify plugin per Redis pattern, over framework-free cores in lib/.
export * from './lib/shared/errors.js'
export { keySpace, escapeTag, type KeySpace } from './lib/shared/keys.js'
export { createCodec, defaultCodec, type Codec, type CodecOptions } from './lib/shared/codec.js'
export { loadScripts, type ScriptSet } from './lib/shared/scripts.js'
export { recommendedRedisOptions, createSubscriber, duplicateConnection, withTimeout, scanKeys, isCluster, type RedisClient } from './lib/shared/connection.js'
export { checkServer, type ServerFacts, type GuardOptions } from './lib/shared/server-guard.js'
export { Notifier, type Waiter, type WakeReason } from './lib/shared/notifier.js'
export { redisRateLimit, type RedisRateLimitOptions, type RateLimitDecorator } from './plugins/rate-limit.js'
export { RateLimiter, type RateLimiterOptions, type PolicyInput } from './lib/rate-limit/rate-limiter.js'
export { ALGORITHMS, type Algorithm, type RateLimitPolicyOptions, type RateLimitPolicy, type RateLimitRule } from './lib/rate-limit/policy.js'
export type { RateLimitResult } from './lib/rate-limit/result.js'
export type { RouteRateLimit, RouteRateLimitOptions } from './plugins/rate-limit/route-rule.js'
export { ipKey } from './lib/rate-limit/ip.js'
export { redisSession, type RedisSessionOptions, type SessionCookieOptions } from './plugins/session.js'
export { SessionStore, Session, newSessionId, parseSessionId, userTag, type SessionStoreOptions, type StoredSession, type SessionInfo, type SessionMetadata, type RegenerateOptions, type SetUserOptions } from './lib/session/index.js'
export { redisLeaderboard, type RedisLeaderboardOptions, type LeaderboardRoutesOptions } from './plugins/leaderboard.js'
export { Leaderboard, type Entry as LeaderboardEntry, type SubmitResult as LeaderboardSubmitResult, type MemberInfo as LeaderboardMemberInfo, type Page as LeaderboardPage, type RollupOptions as LeaderboardRollupOptions, type RankStyle } from './lib/leaderboard/leaderboard.js'
export type { LeaderboardOptions, Order as LeaderboardOrder, UpdatePolicy as LeaderboardUpdatePolicy, TieBreak as LeaderboardTieBreak } from './lib/leaderboard/options.js'
export type { PeriodUnit as LeaderboardPeriod } from './lib/leaderboard/periods.js'
export { redisQueue, type RedisQueuePluginOptions, type QueueRoutesOptions } from './plugins/queue.js'
export {
  Queue, Worker, QueueEvents, MAX_PRIORITY,
  type AddResult, type BulkJob, type JobCounts, type QueueEventMap, type Processor, type WorkerEvents, type WorkerQueue,
  type QueueEvent, type QueueEventName, type QueueEventsEvents, type QueueEventsOptions, type ActiveJob,
  type JobRecord, type JobState, type AttemptRecord, type JobOptions, type QueueOptions, type WorkerOptions,
  type Retention, type Backoff
} from './lib/queue/index.js'

// cache
export { redisCache, type RedisCacheOptions, type RouteCacheConfig } from './plugins/cache.js'
export {
  Cache, WriteBehind,
  type Fetcher, type CacheOptions, type CallOptions, type L1Options, type Logger as CacheLogger,
  type CacheStats, type CacheEvents, type CacheEvent, type WriteBehindOptions, type WriteBehindEvents, type BufferedWrite
} from './lib/cache/index.js'
export { Locker } from './lib/lock/locker.js'
export { Lease } from './lib/lock/lease.js'
export type { LockerOptions, AcquireOptions, UsingOptions, RetryOptions } from './lib/lock/options.js'
export { redisLock, type RedisLockOptions, type RouteLockConfig } from './plugins/lock.js'

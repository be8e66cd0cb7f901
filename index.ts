// fastify-redis-patterns: one Fastify plugin per Redis pattern, over framework-free cores in lib/.
export {
  keySpace, escapeTag, createCodec, defaultCodec, loadScripts, isCluster, recommendedRedisOptions, recommendedClusterOptions, createSubscriber,
  duplicateConnection, scanKeys, boundFor, callPolicy, redisError, withTimeout, checkServer, Notifier, TypedEmitter,
  type KeySpace, type Codec, type CodecOptions, type ScriptSet, type RedisClient, type Bound, type CallPolicy, type FailedCall,
  type ServerFacts, type GuardOptions, type NotifierEvents, type Waiter, type WakeReason, type EventMap, type Duration,
  RedisWatch, type RedisSnapshot, type RedisWatchOptions, type WatchedPattern
} from './lib/shared/index.js'
export type { DurabilityOptions } from './lib/shared/index.js'
// fastify.redisHealth()'s report (decorated by the first pattern plugin registered)
export type { RedisHealthReport } from './plugins/shared/redis-registry.js'
export * from './lib/shared/errors.js'
export { redisRateLimit, type RedisRateLimitOptions, type RateLimitDecorator } from './plugins/rate-limit.js'
export {
  RateLimiter, ALGORITHMS, ipKey,
  type RateLimiterOptions, type PolicyInput, type RateLimiterEvents, type RateLimitDecision, type DecisionSource,
  type Algorithm, type RateLimitPolicyOptions, type RateLimitPolicy, type RateLimitRule, type RateLimitResult
} from './lib/rate-limit/index.js'
export type { RouteRateLimit, RouteRateLimitOptions } from './plugins/rate-limit/route-rule.js'
export { redisSession, type RedisSessionOptions, type SessionCookieOptions } from './plugins/session.js'
export {
  SessionStore, Session, newSessionId, parseSessionId, userTag,
  type SessionStoreOptions, type SessionStoreEvents, type StoredSession, type SessionInfo, type SessionMetadata, type RegenerateOptions, type SetUserOptions
} from './lib/session/index.js'
export { redisLeaderboard, type RedisLeaderboardOptions, type LeaderboardRoutesOptions } from './plugins/leaderboard.js'
export {
  Leaderboard, PlayerIndex, type PlayerIndexOptions, type PlayerStanding,
  type Entry as LeaderboardEntry, type SubmitResult as LeaderboardSubmitResult, type MemberInfo as LeaderboardMemberInfo,
  type Page as LeaderboardPage, type RollupOptions as LeaderboardRollupOptions, type RankStyle, type LeaderboardEvents, type LeaderboardReadOp,
  type LeaderboardOptions, type Order as LeaderboardOrder, type UpdatePolicy as LeaderboardUpdatePolicy,
  type TieBreak as LeaderboardTieBreak, type PeriodUnit as LeaderboardPeriod
} from './lib/leaderboard/index.js'
export { redisQueue, type RedisQueuePluginOptions, type QueueRoutesOptions } from './plugins/queue.js'
export {
  Queue, Worker, QueueEvents, MAX_PRIORITY,
  type AddResult, type BulkJob, type JobCounts, type JobPage, type ThroughputMinute, type QueueEventMap, type Processor, type WorkerEvents, type WorkerQueue,
  type QueueEvent, type QueueEventName, type QueueEventsEvents, type QueueEventsOptions, type ActiveJob,
  type JobRecord, type JobState, type AttemptRecord, type JobOptions, type QueueOptions, type WorkerOptions,
  type Retention, type Backoff, type ScheduleTiming, type ScheduledJob, type ScheduledJobOptions, type ScheduleInfo, type MissedTicks
} from './lib/queue/index.js'

// cache
export { redisCache, type RedisCacheOptions, type RouteCacheConfig } from './plugins/cache.js'
export type { RouteCacheControl } from './plugins/cache/cache-control.js'
export {
  Cache, WriteBehind,
  type Fetcher, type CacheOptions, type CallOptions, type L1Options, type Logger as CacheLogger,
  type CacheStats, type CacheEvents, type CacheEvent, type WriteBehindOptions, type WriteBehindEvents, type BufferedWrite
} from './lib/cache/index.js'
export { Locker, Lease, type LockerEvents, type HeldLock, type HeldLocks, type LockerOptions, type AcquireOptions, type UsingOptions, type RetryOptions } from './lib/lock/index.js'
export { redisLock, type RedisLockOptions, type RouteLockConfig } from './plugins/lock.js'
export type { RouteRequest, RouteCallback } from './plugins/shared/route-request.js'
export type { RateLimitedError } from './plugins/rate-limit/refusal.js'
export { redisOtp, type RedisOtpOptions } from './plugins/otp.js'
export {
  OneTimeCodes, type OneTimeCodesEvents, type OneTimeCodesOptions, type IssueOptions as OtpIssueOptions,
  type OtpResult, type IssuedCode, type VerifyResult as OtpVerifyResult, type OtpCooldownError
} from './lib/otp/index.js'
export { redisActivity, type RedisActivityOptions } from './plugins/activity.js'
export {
  Activity, type ActivityEvents, type ActivityOptions, type ActivityPeriod, type Day as ActivityDay,
  type Streak as ActivityStreak, type Retention as ActivityRetention
} from './lib/activity/index.js'

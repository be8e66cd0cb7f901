// fastify-redis-patterns: one Fastify plugin per Redis pattern, over framework-free cores in lib/.
export * from './lib/shared/errors.js'
export { keySpace, escapeTag, type KeySpace } from './lib/shared/keys.js'
export { createCodec, defaultCodec, type Codec, type CodecOptions } from './lib/shared/codec.js'
export { loadScripts, type ScriptSet, type RedisClient } from './lib/shared/scripts.js'
export { recommendedRedisOptions, createSubscriber, duplicateConnection, withTimeout, scanKeys, isCluster } from './lib/shared/connection.js'
export { checkServer, type ServerFacts, type GuardOptions } from './lib/shared/server-guard.js'
export { redisSession, type RedisSessionOptions, type SessionCookieOptions } from './plugins/session.js'
export { SessionStore, Session, newSessionId, parseSessionId, userTag, type SessionStoreOptions, type StoredSession, type SessionInfo, type SessionMetadata, type RegenerateOptions, type SetUserOptions } from './lib/session/index.js'

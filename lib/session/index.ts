// The session pattern's public surface.
export { SessionStore, checkUserId, type SessionStoreEvents, type StoredSession, type SessionInfo, type SessionMetadata, type CreateOptions } from './store.js'
export { countLiveSessions, type LiveSessionCount } from './count.js'
export { Session, type MetadataProvider, type RegenerateOptions, type SetUserOptions } from './session.js'
export { normalizeStoreOptions, STORE_OPTIONS, type SessionStoreOptions, type NormalizedStoreOptions } from './options.js'
export { newSessionId, parseSessionId, userTag, type ParsedId } from './ids.js'
export type { Duration } from '../shared/options.js'

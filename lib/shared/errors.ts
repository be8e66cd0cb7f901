// Every coded error of the package, created in one place so codes, messages and HTTP status
// codes stay consistent. Callers test `err.code`, never message text.
import { createError } from '@fastify/error'

// --- shared -------------------------------------------------------------------------------
export const FRP_INVALID_OPTION = createError('FRP_INVALID_OPTION', 'Invalid option "%s": %s', 500, TypeError)
export const FRP_INVALID_KEY = createError('FRP_INVALID_KEY', 'Invalid key part "%s": %s', 500, TypeError)
export const FRP_CODEC_CORRUPT = createError('FRP_CODEC_CORRUPT', 'Stored value cannot be decoded: %s', 500)
export const FRP_VALUE_TOO_LARGE = createError('FRP_VALUE_TOO_LARGE', 'Encoded value is %s bytes, above the limit of %s bytes', 413)
// 400: the value came from the caller (a cycle, a function, a too-deep structure), like an oversized one (413).
export const FRP_UNSUPPORTED_VALUE = createError('FRP_UNSUPPORTED_VALUE', 'Value cannot be serialized: %s', 400, TypeError)
export const FRP_REDIS_UNAVAILABLE = createError('FRP_REDIS_UNAVAILABLE', 'Redis is unavailable: %s', 503)
export const FRP_REDIS_TIMEOUT = createError('FRP_REDIS_TIMEOUT', 'Redis did not answer within %s ms', 503)
// The deployment answers but can never serve the patterns (unknown Sentinel name, uncovered
// Cluster slots, a client pointed at a replica or a Cluster node): a startup error, not an outage.
export const FRP_REDIS_TOPOLOGY = createError('FRP_REDIS_TOPOLOGY', 'Unsupported Redis deployment: %s', 500)
export const FRP_SCRIPT_ERROR = createError('FRP_SCRIPT_ERROR', 'Redis script "%s" failed: %s', 500)
// A command Redis answered with an error that is not a refusal (a wrong-type key: a bug or a
// corrupted key), as FRP_SCRIPT_ERROR is for a script.
export const FRP_REDIS_ERROR = createError('FRP_REDIS_ERROR', 'Redis command "%s" failed: %s', 500)
// A write the master applied but too few replicas confirmed (the `durability` option, WAIT): it
// may be lost if the master dies now, or may survive. 503: the caller may retry (idempotently).
export const FRP_NOT_REPLICATED = createError<'FRP_NOT_REPLICATED', 503, [confirmed: number, asked: number, timeoutMs: number, why: string, options?: { cause: Error }]>('FRP_NOT_REPLICATED', 'Write not confirmed by enough replicas: %s of %s confirmed it within %s ms%s', 503)

// --- cache --------------------------------------------------------------------------------
export const FRP_WRITE_BEHIND_CLOSED = createError('FRP_WRITE_BEHIND_CLOSED', 'Write-behind buffer "%s" is closed', 503)
export const FRP_CACHE_WAIT_TIMEOUT = createError('FRP_CACHE_WAIT_TIMEOUT', 'Waited %s ms for another instance to fill key "%s"', 503)

// --- rate limit ---------------------------------------------------------------------------
// A refusal is an expected outcome, not a bug: no stack trace, so the attack path stays cheap.
export const FRP_RATE_LIMITED = createError('FRP_RATE_LIMITED', 'Rate limit exceeded (%s), retry in %s s', 429, Error, false)
export const FRP_RATE_LIMIT_STORE = createError('FRP_RATE_LIMIT_STORE', 'Rate limit store failed: %s', 503)
export const FRP_RATE_LIMIT_KEY = createError('FRP_RATE_LIMIT_KEY', 'Rate limit key generator failed: %s', 500)

// --- session ------------------------------------------------------------------------------
export const FRP_SESSION_UNAVAILABLE = createError('FRP_SESSION_UNAVAILABLE', 'Session store unavailable: %s', 503)
export const FRP_SESSION_DESTROYED = createError('FRP_SESSION_DESTROYED', 'Session was destroyed', 409)
export const FRP_SESSION_ID_TAKEN = createError('FRP_SESSION_ID_TAKEN', 'Session id is already taken', 409)
export const FRP_SESSION_DISABLED = createError('FRP_SESSION_DISABLED', 'Sessions are disabled on this route (config.session is false)', 500)

// --- lock ---------------------------------------------------------------------------------
export const FRP_LOCK_NOT_ACQUIRED = createError('FRP_LOCK_NOT_ACQUIRED', 'Lock "%s" not acquired within %s ms', 409)
export const FRP_LOCK_LOST = createError('FRP_LOCK_LOST', 'Lock "%s" was lost', 409)
export const FRP_LOCK_NOT_OWNER = createError('FRP_LOCK_NOT_OWNER', 'Lock "%s" is not held by this lease', 409)

// --- one-time codes -----------------------------------------------------------------------
// A refusal the caller expects (a resend too soon): no stack trace. Carries `retryAfterMs`.
export const FRP_OTP_COOLDOWN = createError('FRP_OTP_COOLDOWN', 'A code was issued for this subject less than the cooldown ago: retry in %s s', 429, Error, false)
export const FRP_OTP_ARGUMENT = createError('FRP_OTP_ARGUMENT', 'Invalid argument "%s": %s', 400, TypeError)

// --- activity -----------------------------------------------------------------------------
// A user id that is not an integer between 0 and maxUserId (a huge one would make SETBIT allocate up to 512 MB).
export const FRP_ACTIVITY_USER_ID = createError('FRP_ACTIVITY_USER_ID', 'Invalid user id %s: must be an integer between 0 and %s', 400, RangeError)
export const FRP_ACTIVITY_ARGUMENT = createError('FRP_ACTIVITY_ARGUMENT', 'Invalid argument "%s": %s', 400, TypeError)

// --- leaderboard --------------------------------------------------------------------------
export const FRP_LEADERBOARD_SCORE_RANGE = createError('FRP_LEADERBOARD_SCORE_RANGE', 'Score %s is outside the allowed range %s', 400, RangeError)
export const FRP_LEADERBOARD_MEMBER = createError('FRP_LEADERBOARD_MEMBER', 'Invalid leaderboard member: %s', 400)
export const FRP_LEADERBOARD_NOT_FOUND = createError('FRP_LEADERBOARD_NOT_FOUND', 'Unknown leaderboard "%s"', 404)
export const FRP_LEADERBOARD_MEMBER_NOT_FOUND = createError('FRP_LEADERBOARD_MEMBER_NOT_FOUND', 'Member "%s" is not on leaderboard "%s"', 404)
export const FRP_LEADERBOARD_ARGUMENT = createError('FRP_LEADERBOARD_ARGUMENT', 'Invalid argument "%s": %s', 400)
export const FRP_LEADERBOARD_CURSOR = createError('FRP_LEADERBOARD_CURSOR', 'Invalid leaderboard page cursor: %s', 400)
export const FRP_LEADERBOARD_METADATA = createError('FRP_LEADERBOARD_METADATA', 'Invalid leaderboard member metadata: %s', 400)
export const FRP_LEADERBOARD_ERASED = createError('FRP_LEADERBOARD_ERASED', 'Member "%s" was erased while this write was in flight; nothing was written', 409)
export const FRP_LEADERBOARD_DENSE_LIMIT = createError('FRP_LEADERBOARD_DENSE_LIMIT', 'Dense rank of "%s" is above the limit of %s distinct scores', 422)

// --- queue --------------------------------------------------------------------------------
export const FRP_QUEUE_NOT_FOUND = createError('FRP_QUEUE_NOT_FOUND', 'Unknown queue "%s"', 404)
export const FRP_JOB_NOT_FOUND = createError('FRP_JOB_NOT_FOUND', 'Job "%s" not found', 404)
export const FRP_JOB_NOT_OWNER = createError('FRP_JOB_NOT_OWNER', 'Job "%s" is no longer owned by this worker', 409)
export const FRP_JOB_INVALID = createError('FRP_JOB_INVALID', 'Invalid job: %s', 400)
export const FRP_SCHEDULE_INVALID = createError('FRP_SCHEDULE_INVALID', 'Invalid schedule field "%s": %s', 400)
export const FRP_SCHEDULE_NOT_FOUND = createError('FRP_SCHEDULE_NOT_FOUND', 'Unknown schedule "%s"', 404)
export const FRP_JOB_ACTIVE = createError('FRP_JOB_ACTIVE', 'Job "%s" is active: a worker owns it', 409)
export const FRP_JOB_STATE = createError('FRP_JOB_STATE', 'Job "%s" cannot be %s: it is %s', 409)
export const FRP_JOB_TIMEOUT = createError('FRP_JOB_TIMEOUT', 'Job "%s" timed out after %s ms', 500)
export const FRP_QUEUE_CLOSED = createError('FRP_QUEUE_CLOSED', 'Queue "%s" is closed', 503)

// --- dashboard ----------------------------------------------------------------------------
export const FRP_DASHBOARD_CSRF = createError('FRP_DASHBOARD_CSRF', 'Cross-site request refused: %s', 403)
export const FRP_DASHBOARD_NOT_FOUND = createError('FRP_DASHBOARD_NOT_FOUND', 'Unknown %s "%s"', 404)
export const FRP_DASHBOARD_CONFIRM = createError('FRP_DASHBOARD_CONFIRM', 'This action needs confirmation: tick "%s"', 400)

/** True when `err` is one of ours (any `FRP_*` code). */
export function isFrpError (err: unknown): err is Error & { code: string, statusCode?: number } {
  const code = (err as { code?: unknown } | null)?.code
  return err instanceof Error && typeof code === 'string' && code.startsWith('FRP_')
}

// The session HMAC secret. Production refuses to start without one: a secret anyone can read in
// the source would let anyone forge a session cookie for any user, the admin included.

/** Used only outside production when SESSION_SECRET is unset (shared, so dev instances share sessions). */
export const DEV_SESSION_SECRET = 'development-only-secret-change-me-0123456789'

export const MISSING_SECRET =
  'SESSION_SECRET is required when NODE_ENV=production (and must not be the development secret): set it to a ' +
  'random string of at least 32 characters (e.g. `openssl rand -base64 48`), the same on every instance.'

export interface ResolvedSecret {
  secret: string | string[]
  /** True when the development fallback is in use (callers log a warning). */
  fallback: boolean
}

/** The secret from `given` (plugin option), else SESSION_SECRET; throws MISSING_SECRET in production. */
export function resolveSessionSecret (given: string | string[] | undefined, env: NodeJS.ProcessEnv = process.env): ResolvedSecret {
  const secret = given ?? (env.SESSION_SECRET === '' ? undefined : env.SESSION_SECRET)
  const production = env.NODE_ENV === 'production'
  if (secret === undefined || (production && [secret].flat().includes(DEV_SESSION_SECRET))) {
    if (production) throw new Error(MISSING_SECRET)
    return { secret: DEV_SESSION_SECRET, fallback: true }
  }
  return { secret, fallback: false }
}

// Fastify adapter of the session pattern: signed cookie (through @fastify/cookie) -> Session,
// loaded in one round trip only when the request carries a session cookie, saved before the
// response is sent and only when something changed.
import fp from 'fastify-plugin'
import { LRUCache } from 'lru-cache'
import fastifyCookie, { Signer } from '@fastify/cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { SessionStore } from '../lib/session/store.js'
import { Session } from '../lib/session/session.js'
import { STORE_OPTIONS, type SessionStoreOptions } from '../lib/session/options.js'
import { parseSessionId } from '../lib/session/ids.js'
import type { SessionMetadata } from '../lib/session/store.js'
import type { RedisClient } from '../lib/shared/connection.js'
import { resolveClient } from './shared/redis-client.js'
import { checkAtStartup } from './shared/startup.js'
import { outageLog } from './shared/outage-log.js'
import { announceCore } from './shared/cores.js'
import { invalid, optBool, optEnum, optString, rejectUnknown } from '../lib/shared/options.js'
import { FRP_SESSION_DISABLED } from '../lib/shared/errors.js'

export interface SessionCookieOptions {
  /** Cookie name (default 'sid'). */
  name?: string
  /** Secure attribute (default true); 'auto' sets it on HTTPS requests only. */
  secure?: boolean | 'auto'
  sameSite?: 'lax' | 'strict' | 'none'
  /** HttpOnly attribute (default true). */
  httpOnly?: boolean
  path?: string
  domain?: string
  /**
   * false (default): a browser-session cookie. true: the cookie lives until the session's absolute
   * deadline (Max-Age); the idle timeout is still enforced by Redis.
   */
  persistent?: boolean
}

export interface RedisSessionOptions extends SessionStoreOptions {
  /**
   * HMAC secret(s), each at least 32 bytes. With an array, the first signs and all verify; unset
   * (`undefined`) entries after the first are skipped, so `[process.env.SESSION_SECRET,
   * process.env.OLD_SESSION_SECRET]` works before and after a rotation.
   */
  // `undefined` is accepted by the type so `secret: process.env.SESSION_SECRET` compiles; an unset
  // secret fails at registration (FRP_INVALID_OPTION naming redisSession.secret).
  secret: string | Buffer | Array<string | Buffer | undefined> | undefined
  cookie?: SessionCookieOptions
  /**
   * What to record with a new session for listForUser: true (default) = user agent and ip,
   * false = nothing, or a function of the request.
   */
  metadata?: boolean | ((request: FastifyRequest) => SessionMetadata)
  /** The hook that loads the session (default 'onRequest'). */
  hook?: 'onRequest' | 'preValidation' | 'preHandler'
  /** @fastify/redis namespace of the client to use. */
  namespace?: string
  /** An ioredis Redis or Cluster to use instead of fastify.redis. */
  client?: RedisClient
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The session store: listForUser, destroy, destroyAllForUser... */
    sessions: SessionStore
  }
  /**
   * The values apps keep in sessions, by name: extend it by declaration merging
   * (`declare module 'fastify' { interface RedisSessionData { cart: string[] } }`) and
   * `request.session.get('cart')` is a `string[] | undefined`, `set('cart', 1)` a type error.
   * Names it does not declare stay untyped.
   */
  interface RedisSessionData {}
  interface FastifyRequest {
    /** The visitor's session (loaded when the request carried a session cookie). */
    session: Session<RedisSessionData>
  }
  interface FastifyContextConfig {
    /** false: this route never loads or saves the session (request.session throws). */
    session?: boolean
  }
}

const kSession = Symbol('frp.session')
const kState = Symbol('frp.session.cookie')
const kIncoming = Symbol('frp.session.incoming')

// What the incoming cookie was, and whether the response is done with the session.
const NONE = 0 // no cookie
const VALID = 1 // signed with the current secret, session found
const RENEW = 2 // signed with an older secret: re-sign
const CLEAR = 3 // tampered, malformed, unsigned or unknown: clear it
const DONE = 4 // saved (or failed) already; later onSend passes (error replies) do nothing
const DISABLED = 5 // route config session: false

type State = typeof NONE | typeof VALID | typeof RENEW | typeof CLEAR | typeof DONE | typeof DISABLED

interface SessionRequest {
  [kSession]: Session | Error | null
  [kState]: State
  [kIncoming]: string | null
}

// Bound on the cache of verified cookie signatures (one entry is about 300 bytes).
const VERIFIED_COOKIES_MAX = 10_000

const OPTIONS = [...STORE_OPTIONS, 'secret', 'cookie', 'metadata', 'hook', 'namespace', 'client']
const COOKIE_OPTIONS = ['name', 'secure', 'sameSite', 'httpOnly', 'path', 'domain', 'persistent']

function checkSecrets (secret: unknown): Array<string | Buffer> {
  if (secret === undefined || secret === null || secret === '') throw invalid('redisSession.secret', `is required (got ${secret === '' ? 'an empty string' : String(secret)}: is the environment variable set?)`)
  if (Array.isArray(secret) && (secret[0] === undefined || secret[0] === '')) throw invalid('redisSession.secret[0]', 'is required: the first secret signs (is the environment variable set?)')
  // Unset older secrets (`[SESSION_SECRET, OLD_SESSION_SECRET]` with no old one) verify nothing.
  const list = Array.isArray(secret) ? secret.filter(s => s !== undefined) : [secret]
  if (list.length === 0) throw invalid('redisSession.secret', 'must not be an empty array')
  for (const s of list) {
    if (typeof s !== 'string' && !Buffer.isBuffer(s)) throw invalid('redisSession.secret', 'must be a string, a Buffer or an array of them')
    if (Buffer.byteLength(s) < 32) throw invalid('redisSession.secret', 'each secret must be at least 32 bytes')
  }
  return list
}

function defaultMetadata (request: FastifyRequest): SessionMetadata {
  const ua = request.headers['user-agent']
  return { userAgent: typeof ua === 'string' ? ua.slice(0, 512) : '', ip: request.ip }
}

async function redisSessionPlugin (fastify: FastifyInstance, opts: RedisSessionOptions): Promise<void> {
  rejectUnknown('redisSession', opts, OPTIONS)
  const signer = new Signer(checkSecrets(opts.secret) as string[])
  const c = opts.cookie ?? {}
  rejectUnknown('redisSession.cookie', c, COOKIE_OPTIONS)
  const cookieName = optString('redisSession.cookie.name', c.name, 'sid')
  const secure: boolean | 'auto' = c.secure === 'auto' ? 'auto' : optBool('redisSession.cookie.secure', c.secure, true)
  const cookieOpts = {
    path: optString('redisSession.cookie.path', c.path, '/'),
    domain: c.domain === undefined ? undefined : optString('redisSession.cookie.domain', c.domain, ''),
    httpOnly: optBool('redisSession.cookie.httpOnly', c.httpOnly, true),
    sameSite: optEnum('redisSession.cookie.sameSite', c.sameSite, ['lax', 'strict', 'none'] as const, 'lax'),
    secure
  }
  const clearOpts = { path: cookieOpts.path, domain: cookieOpts.domain }
  const persistent = optBool('redisSession.cookie.persistent', c.persistent, false)
  const hook = optEnum('redisSession.hook', opts.hook, ['onRequest', 'preValidation', 'preHandler'] as const, 'onRequest')
  let metadataOf: ((request: FastifyRequest) => SessionMetadata) | null = defaultMetadata
  if (opts.metadata === false) metadataOf = null
  else if (typeof opts.metadata === 'function') metadataOf = opts.metadata
  else if (opts.metadata !== undefined && opts.metadata !== true) throw invalid('redisSession.metadata', 'must be a boolean or a function')

  const client = resolveClient(fastify, 'redisSession', opts)
  const storeOpts: SessionStoreOptions = {}
  for (const k of STORE_OPTIONS) if (opts[k] !== undefined) (storeOpts as Record<string, unknown>)[k] = opts[k]
  const store = new SessionStore(client, storeOpts)
  announceCore(fastify, 'sessions', store)

  // Built on @fastify/cookie: registered here when the application has not registered it.
  if (!fastify.hasPlugin('@fastify/cookie')) await fastify.register(fastifyCookie)

  const whileDown = 'requests that use the session answer 503'
  await checkAtStartup(fastify, [client], { pattern: 'session', namespace: opts.namespace, needsNoEviction: true, timeout: store.options.commandTimeout * 2, whileDown })
  // Every failed store call is counted (the app's own calls too); requests log their own line.
  const outage = outageLog(fastify, { pattern: 'session', whileDown, clients: [client] })
  store.on('error', err => { outage.failed(err) })

  // Cookies whose signature was verified, by their exact text: a returning visitor's cookie costs
  // one Map lookup instead of an HMAC per request. Only verified cookies are kept (so only cookies
  // we signed ever enter), the result for a given text never changes (the secrets are fixed for
  // the plugin's life), and the cache is a bounded LRU (the lru-cache the L1 cache already uses). A cached
  // entry only proves the signature: the session itself is still looked up in Redis every time,
  // so a destroyed or expired session is never revived by it.
  const verifiedCookies = new LRUCache<string, { id: string, renew: boolean }>({ max: VERIFIED_COOKIES_MAX })
  function unsignCookie (raw: string): { id: string, renew: boolean } | null {
    const hit = verifiedCookies.get(raw)
    if (hit !== undefined) return hit
    // A real cookie is about 105 characters: anything much longer is not worth an HMAC.
    if (raw.length > 200) return null
    const unsigned = signer.unsign(raw)
    if (!unsigned.valid || parseSessionId(unsigned.value) === null) return null
    const entry = { id: unsigned.value as string, renew: unsigned.renew === true }
    verifiedCookies.set(raw, entry)
    return entry
  }

  function newSession (request: FastifyRequest): Session {
    return new Session(store, null, metadataOf === null ? undefined : () => metadataOf(request))
  }

  fastify.decorate('sessions', store)
  fastify.decorateRequest(kSession, null)
  fastify.decorateRequest(kState, NONE)
  fastify.decorateRequest(kIncoming, null)
  fastify.decorateRequest('session', {
    getter (this: FastifyRequest & SessionRequest): Session {
      const s = this[kSession]
      if (s instanceof Session) return s
      if (s !== null) throw s
      if (this[kState] === DISABLED || this.routeOptions.config.session === false) throw new FRP_SESSION_DISABLED()
      return (this[kSession] = newSession(this))
    }
  } as never)

  fastify.addHook(hook, function loadSession (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) {
    const req = request as FastifyRequest & SessionRequest
    // request.cookies is null when @fastify/cookie parses in a later hook (its `hook` option).
    const cookies = request.cookies ?? (request.cookies = request.headers.cookie === undefined ? {} : fastify.parseCookie(request.headers.cookie))
    const raw = cookies[cookieName]
    if (raw === undefined) return done()
    if (request.routeOptions.config.session === false) {
      req[kState] = DISABLED
      return done()
    }
    const verified = unsignCookie(raw)
    if (verified === null) {
      // Tampered, malformed or unsigned: a fresh anonymous session, no Redis call.
      if (store.listenerCount('loaded') > 0) store.emit('loaded', 'invalid')
      req[kState] = CLEAR
      return done()
    }
    const id = verified.id
    req[kIncoming] = id
    store.load(id).then(stored => {
      if (stored === null) {
        req[kState] = CLEAR // unknown or expired
      } else {
        req[kState] = verified.renew ? RENEW : VALID
        req[kSession] = new Session(store, stored, metadataOf === null ? undefined : () => metadataOf(request))
      }
      done()
    }, (err: Error) => {
      // Only routes that touch request.session fail (503); the others go on.
      req[kSession] = err
      outage.request(request, err, 'the session was not loaded (request.session answers 503)', true)
      done()
    })
  })

  function writeCookie (request: FastifyRequest & SessionRequest, reply: FastifyReply, s: Session | null, state: State): void {
    if (s !== null && s.persisted) {
      if (s.id !== request[kIncoming] || state === RENEW) {
        const maxAge = persistent && s.absoluteExpiresAt !== null ? Math.max(0, Math.floor((s.absoluteExpiresAt - Date.now()) / 1000)) : undefined
        reply.setCookie(cookieName, signer.sign(s.id), maxAge === undefined ? cookieOpts : { ...cookieOpts, maxAge })
      }
    } else if (state !== NONE) {
      reply.clearCookie(cookieName, clearOpts)
    }
  }

  fastify.addHook('onSend', function saveSession (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err?: Error | null, payload?: unknown) => void) {
    const req = request as FastifyRequest & SessionRequest
    const state = req[kState]
    if (state === DONE || state === DISABLED) return done(null, payload)
    const s = req[kSession]
    if (s === null) {
      if (state === CLEAR) reply.clearCookie(cookieName, clearOpts)
      return done(null, payload)
    }
    req[kState] = DONE
    if (!(s instanceof Session)) return done(null, payload) // the load failed; nothing to save
    if (!s.changed) {
      writeCookie(req, reply, s, state)
      return done(null, payload)
    }
    const touchOnly = !s.modified
    s.save().then(() => {
      writeCookie(req, reply, s, state)
      done(null, payload)
    }, (err: Error) => {
      const destroyed = (err as { code?: string }).code === 'FRP_SESSION_DESTROYED'
      // The client keeps no dead cookie.
      if (destroyed) writeCookie(req, reply, s, state)
      if (touchOnly) {
        // Nothing of the request was lost: a failed idle-timeout refresh never fails the response.
        if (!destroyed && !outage.request(request, err, 'idle timeout not refreshed', true)) request.log.warn({ err }, 'session: idle timeout refresh failed')
        return done(null, payload)
      }
      // Destroyed meanwhile (409) or Redis unavailable (503).
      outage.request(request, err, 'the session was not saved (503)', true)
      done(err)
    })
  })
}

export const redisSession = fp(redisSessionPlugin, {
  name: 'fastify-redis-patterns-session',
  fastify: '5.x'
})

export default redisSession
export { SessionStore, Session }

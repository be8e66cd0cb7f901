// SessionStore: the framework-free core of the session pattern. One Redis hash per session:
// user values under '=<name>' (encoded by the codec), metadata under '#<x>'. Only changed fields
// are written, by Lua scripts that refuse to touch a session that is gone (the hot path,
// update-1.lua, is one HEXISTS + one HSET), so concurrent requests never lose each other's
// updates and a logout is never undone. Sessions bound to a user
// share the user's hash tag with the user's index (a sorted set of session ids scored by expiry),
// so every step that touches both is one atomic script, on Cluster too.
import { countLiveSessions, type LiveSessionCount } from './count.js'
import { keySpace, type KeySpace } from '../shared/keys.js'
import { loadScripts } from '../shared/scripts.js'
import { callPolicy, type Bound, type CallPolicy } from '../shared/call-policy.js'
import { confirmReplicated } from '../shared/durability.js'
import type { RedisClient } from '../shared/client.js'
import { TypedEmitter } from '../shared/events.js'
import { FRP_SESSION_DESTROYED, FRP_SESSION_ID_TAKEN, FRP_SESSION_UNAVAILABLE, FRP_INVALID_OPTION } from '../shared/errors.js'
import { toJson, type Codec } from '../shared/codec.js'
import { normalizeStoreOptions, type NormalizedStoreOptions, type SessionStoreOptions } from './options.js'
import { isSessionId, tagOf, userTag } from './ids.js'

type ScriptName = 'save' | 'update' | 'regenerate' | 'destroy' | 'list'
const scripts = loadScripts<ScriptName>('session', new URL('.', import.meta.url))

/** Metadata recorded at creation (user agent and ip by default). */
export type SessionMetadata = Record<string, string>

/** A session as read from Redis. Values are still encoded. */
export interface StoredSession {
  id: string
  /** name -> encoded value */
  values: Map<string, string>
  userId: string | null
  createdAt: number
  lastSeenAt: number
  absoluteExpiresAt: number
}

/** One entry of `listForUser`. */
export interface SessionInfo {
  id: string
  userId: string
  createdAt: number
  lastSeenAt: number
  /** When the session expires unless used again (idle timeout, capped by the absolute one). */
  expiresAt: number
  /** When the session expires whatever the activity. */
  absoluteExpiresAt: number
  metadata: SessionMetadata | null
}

export interface CreateOptions {
  userId?: string | null
  metadata?: SessionMetadata | null
}

const MAX_USER_ID = 1024

/** Validates a user id; user ids are strings (numbers are accepted and stringified). */
export function checkUserId (userId: unknown): string {
  if (typeof userId === 'number' && Number.isSafeInteger(userId)) return String(userId)
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID) {
    throw new FRP_INVALID_OPTION('userId', `must be a non-empty string of at most ${MAX_USER_ID} characters`)
  }
  return userId
}

function emptySession (id: string): StoredSession {
  return { id, values: new Map(), userId: null, createdAt: 0, lastSeenAt: 0, absoluteExpiresAt: 0 }
}

function addField (s: StoredSession, field: string, value: string): void {
  if (field.charCodeAt(0) === 61) { // '=': a user value
    s.values.set(field.slice(1), value)
    return
  }
  switch (field) {
    case '#c': s.createdAt = Number(value); break
    case '#s': s.lastSeenAt = Number(value); break
    case '#x': s.absoluteExpiresAt = Number(value); break
    case '#u': s.userId = value; break
    // '#m' (metadata) is only read by listForUser.
  }
}

/** A session from an HGETALL object. */
function parseHash (id: string, hash: Record<string, string>): StoredSession {
  const s = emptySession(id)
  for (const field in hash) addField(s, field, hash[field])
  return s
}

/** A session from a flat field, value list returned by a script, from index `start`. */
function parseFlat (id: string, reply: Array<string | number>, start: number): StoredSession {
  const s = emptySession(id)
  for (let i = start; i < reply.length; i += 2) addField(s, reply[i] as string, reply[i + 1] as string)
  return s
}

function parseMetadata (raw: string | null): SessionMetadata | null {
  if (raw === null) return null
  try {
    const m = JSON.parse(raw)
    return m !== null && typeof m === 'object' ? m : null
  } catch {
    return null
  }
}

/** A SessionStore's events (emitted only while someone listens). */
export interface SessionStoreEvents {
  /** A session was stored for the first time (`userId`: null for an anonymous one). */
  created: [id: string, userId: string | null]
  /** A live session was destroyed (destroy, logout, the old id of a login or a regenerate without data). */
  destroyed: [id: string]
  /** A session moved to a new id with its data (regenerate with keepData). */
  regenerated: [oldId: string, newId: string]
  /**
   * A write was refused: the session is gone (FRP_SESSION_DESTROYED: destroyed, regenerated or
   * expired meanwhile) or a new id is taken (FRP_SESSION_ID_TAKEN).
   */
  conflict: [id: string, code: 'FRP_SESSION_DESTROYED' | 'FRP_SESSION_ID_TAKEN']
  /**
   * A load answered: the session was `found`, is `missing` (unknown or expired), or the id was
   * `invalid` (malformed; the plugin also reports cookies with a bad signature).
   */
  loaded: [result: 'found' | 'missing' | 'invalid']
  /** A write (create, update, touch) was stored. */
  saved: [id: string]
  /** Redis failed or timed out: the FRP_SESSION_UNAVAILABLE the caller gets too (or, with `durability`, FRP_NOT_REPLICATED). */
  error: [err: Error]
}

export class SessionStore extends TypedEmitter<SessionStoreEvents> {
  readonly options: Readonly<NormalizedStoreOptions>
  readonly codec: Codec
  readonly #redis: RedisClient
  readonly #keys: KeySpace
  /** Bounds each call by commandTimeout (no timer when the client's own is as tight). */
  readonly #bounded: Bound
  readonly #updateCmd: (...keysThenArgs: Array<string | readonly string[]>) => Promise<number>
  /** The call policy (bound and coded failures) of `commandTimeout`. */
  readonly #policy: CallPolicy

  constructor (redis: RedisClient, options: SessionStoreOptions = {}) {
    super()
    if (redis === null || typeof redis !== 'object' || typeof (redis as { defineCommand?: unknown }).defineCommand !== 'function') {
      throw new FRP_INVALID_OPTION('redis', 'must be an ioredis Redis or Cluster client')
    }
    this.options = Object.freeze(normalizeStoreOptions(options))
    this.codec = this.options.codec
    this.#redis = redis
    this.#keys = keySpace(this.options.prefix, 'session')
    this.#policy = callPolicy(redis, this.options.commandTimeout)
    this.#bounded = this.#policy.bound
    this.#updateCmd = scripts.bind<number>(redis, 'update')
  }

  /** The Redis key of a session's hash. */
  keyOf (id: string): string {
    const dot = id.indexOf('.')
    return this.#keys.key(id.slice(0, dot), 's', id.slice(dot + 1))
  }

  /** The Redis key of the index of a hash tag (for a user tag: that user's sessions). */
  indexKeyOf (id: string): string {
    return this.#keys.key(tagOf(id), 'u')
  }

  /** The Redis key of the index of `userId`'s sessions. */
  userIndexKey (userId: string): string {
    return this.#keys.key(userTag(checkUserId(userId)), 'u')
  }

  /**
   * Reads a session in one round trip (HGETALL, the cheapest read Redis has); null when it does
   * not exist, has expired, or `id` is not a well-formed session id. Reads never write: the idle
   * timeout is refreshed by the next save or touch (see Session), and Redis itself ends the
   * session at its absolute deadline because no TTL is ever set beyond it.
   */
  load (id: string): Promise<StoredSession | null> {
    if (!isSessionId(id)) {
      if (this.listenerCount('loaded') > 0) this.emit('loaded', 'invalid')
      return Promise.resolve(null)
    }
    // A plain promise chain (no async layer): this runs on every request with a session.
    return this.#bound(this.#redis.hgetall(this.keyOf(id))).then(hash => {
      let s: StoredSession | null = null
      if (hash['#x'] !== undefined) {
        s = parseHash(id, hash)
        // The TTL already caps the session at its deadline; this only closes the last moments
        // before Redis notices (lazy expiry) or a hash whose deadline field was shortened.
        if (Date.now() >= s.absoluteExpiresAt) s = null
      }
      if (this.listenerCount('loaded') > 0) this.emit('loaded', s === null ? 'missing' : 'found')
      return s
    })
  }

  /**
   * Creates session `id` with `fields` (flat name, encoded value pairs). Returns the creation
   * time (Redis clock, ms). Fails with FRP_SESSION_ID_TAKEN if the id is in use.
   */
  async create (id: string, fields: readonly string[], opts: CreateOptions = {}): Promise<number> {
    const userId = opts.userId == null ? '' : checkUserId(opts.userId)
    const pairs = prefixFields(fields)
    if (userId !== '') pairs.push('#u', userId)
    if (opts.metadata != null) metadataFields(pairs, toJson(opts.metadata, 'session metadata'))
    const o = this.options
    const r = await this.#run<number>('save', [this.keyOf(id), this.indexKeyOf(id)], true,
      ['n', id, o.ttl, o.absoluteTtl, o.rolling ? '1' : '0', o.userIndex ? userId : '', pairs.length / 2, ...pairs])
    const now = this.#check(id, r)
    if (this.listenerCount('created') > 0) this.emit('created', id, userId === '' ? null : userId)
    if (this.listenerCount('saved') > 0) this.emit('saved', id)
    return now
  }

  /**
   * Writes only the changes of one request: `set` as flat name, encoded value pairs, `del` as
   * names. With `refresh` (default: when the sessions are rolling) it also slides the idle
   * timeout and records the activity. Fails with FRP_SESSION_DESTROYED, writing nothing, when the
   * session is gone (destroyed, regenerated or expired). Returns Redis time (ms) when the idle
   * timeout was refreshed; otherwise the number means nothing (0 on the single-HSET path).
   */
  update (id: string, set: readonly string[], del: readonly string[] = [], { refresh = this.options.rolling }: { refresh?: boolean } = {}): Promise<number> {
    if (!isSessionId(id)) return Promise.reject(new FRP_SESSION_DESTROYED())
    refresh = refresh && this.options.rolling
    if (refresh || del.length > 0 || set.length === 0) return this.#save(id, set, del, refresh)
    // The hot path (values set, nothing deleted, no touch due): update-1.lua, one HEXISTS + one
    // HSET in Redis, with the key and the fields as its only arguments.
    const args = new Array<string>(set.length + 1)
    args[0] = this.keyOf(id)
    for (let i = 0; i < set.length; i += 2) {
      args[i + 1] = '=' + set[i]
      args[i + 2] = set[i + 1]
    }
    const p = this.#durable(args[0], this.#bounded(this.#updateCmd(args)).then(check, this.#fail))
    // Outcomes are events only while someone listens: no extra promise on the hot path.
    if (this.listenerCount('conflict') === 0 && this.listenerCount('saved') === 0) return p
    return p.then(v => {
      if (this.listenerCount('saved') > 0) this.emit('saved', id)
      return v
    }, err => this.#conflict(id, err))
  }

  /** The general write (save-2.lua): deletes too, and slides the idle timeout when rolling. */
  async #save (id: string, set: readonly string[], del: readonly string[], refresh: boolean, durable = true): Promise<number> {
    const pairs = prefixFields(set)
    const o = this.options
    const args: Array<string | number> = ['u', id, o.ttl, o.absoluteTtl, refresh ? '1' : '0', o.userIndex ? '' : '0', pairs.length / 2, ...pairs]
    for (const name of del) args.push('=' + name)
    const now = this.#check(id, await this.#run<number>('save', [this.keyOf(id), this.indexKeyOf(id)], durable, args))
    if (this.listenerCount('saved') > 0) this.emit('saved', id)
    return now
  }

  /** Refreshes the idle timeout now (rolling sessions); FRP_SESSION_DESTROYED when gone. */
  async touch (id: string): Promise<number> {
    if (!isSessionId(id)) throw new FRP_SESSION_DESTROYED()
    // Not waited for with `durability`: a lost refresh loses no data, only some idle time.
    return await this.#save(id, [], [], this.options.rolling, false)
  }

  /**
   * Moves session `oldId` with its data to `newId` (same hash tag) and kills `oldId`, in one
   * script. The remaining TTLs are kept. Fails with FRP_SESSION_DESTROYED when `oldId` is gone.
   */
  async regenerate (oldId: string, newId: string): Promise<StoredSession> {
    if (!isSessionId(oldId) || !isSessionId(newId) || tagOf(oldId) !== tagOf(newId)) {
      throw new FRP_INVALID_OPTION('newId', 'must be a session id with the hash tag of the old id')
    }
    const r = await this.#run<Array<string | number> | number>('regenerate',
      [this.keyOf(oldId), this.keyOf(newId), this.indexKeyOf(oldId)], true, [oldId, newId, this.options.userIndex ? '1' : '0'])
    if (typeof r === 'number') this.#check(oldId, r)
    if (this.listenerCount('regenerated') > 0) this.emit('regenerated', oldId, newId)
    return parseFlat(newId, r as Array<string | number>, 1)
  }

  /** Destroys a session (and its index entry). True when a live session was destroyed. */
  async destroy (id: string): Promise<boolean> {
    if (!isSessionId(id)) return false
    const r = await this.#run<number>('destroy', [this.keyOf(id), this.indexKeyOf(id)], true, [id, '0'])
    if (r === 1 && this.listenerCount('destroyed') > 0) this.emit('destroyed', id)
    return r === 1
  }

  /** Destroys a session and returns what it held (null when there was no live session). */
  async take (id: string): Promise<StoredSession | null> {
    if (!isSessionId(id)) return null
    const r = await this.#run<Array<string | number> | number>('destroy', [this.keyOf(id), this.indexKeyOf(id)], true, [id, '1'])
    if (typeof r === 'number') return null
    if (this.listenerCount('destroyed') > 0) this.emit('destroyed', id)
    return parseFlat(id, r, 0)
  }

  /**
   * The live sessions of `userId`, most recently used first. Expired entries are pruned from the
   * index on the way.
   */
  async listForUser (userId: string): Promise<SessionInfo[]> {
    const uid = checkUserId(userId)
    if (!this.options.userIndex) throw new FRP_INVALID_OPTION('userIndex', 'is false: listForUser and destroyAllForUser need the per-user index')
    const flat = await this.#run<string[]>('list', [this.userIndexKey(uid)], false, [])
    if (flat.length === 0) return []
    // Every session of the user shares the index's hash tag: one pipeline, one node.
    const pipeline = this.#redis.pipeline()
    for (let i = 0; i < flat.length; i += 2) pipeline.hmget(this.keyOf(flat[i]), '#c', '#s', '#u', '#m', '#x')
    const replies = await this.#bound(pipeline.exec())
    const rows: Array<Array<string | null>> = []
    for (let i = 0; i < flat.length; i += 2) {
      const [err, m] = replies?.[i / 2] ?? [null, null]
      if (err != null) this.#fail(err)
      rows.push(m as Array<string | null>)
    }
    await this.#joinMetadata(flat, rows)
    const out: SessionInfo[] = []
    for (let i = 0; i < flat.length; i += 2) {
      const [c, s, u, meta, x] = rows[i / 2]
      // A missing hash is a session that ended after the index was read; another user's id
      // sharing the tag would only be possible through a SHA-256 prefix collision.
      if (c === null || u !== uid) continue
      out.push({
        id: flat[i],
        userId: uid,
        createdAt: Number(c),
        lastSeenAt: Number(s),
        expiresAt: Number(flat[i + 1]),
        absoluteExpiresAt: Number(x),
        metadata: parseMetadata(meta)
      })
    }
    return out.sort((a, b) => b.lastSeenAt - a.lastSeenAt)
  }

  /**
   * Metadata longer than a listpack value is stored in chunks ('#m' holds their count, see
   * metadataFields): reads them, in one more pipeline, into each row's metadata slot (index 3).
   */
  async #joinMetadata (flat: readonly string[], rows: Array<Array<string | null>>): Promise<void> {
    const chunked: number[] = []
    const pipeline = this.#redis.pipeline()
    for (let r = 0; r < rows.length; r++) {
      const count = rows[r][3]
      if (count === null || !/^[1-9]\d{0,2}$/.test(count)) continue
      pipeline.hmget(this.keyOf(flat[r * 2]), ...Array.from({ length: Number(count) }, (_, k) => '#m' + String(k + 1)))
      chunked.push(r)
    }
    if (chunked.length === 0) return
    const replies = await this.#bound(pipeline.exec())
    chunked.forEach((r, k) => {
      const [err, parts] = replies?.[k] ?? [null, null]
      if (err != null) this.#fail(err)
      const list = parts as Array<string | null>
      rows[r][3] = list.includes(null) ? null : list.join('')
    })
  }

  /**
   * Destroys every session of `userId` except the ids in `except` ("log out everywhere else").
   * Each session is destroyed by its own atomic script, so the step is idempotent and safe to
   * retry; a session created after the index was read survives. Returns how many were destroyed.
   */
  async destroyAllForUser (userId: string, opts: { except?: string | readonly string[] } = {}): Promise<number> {
    const keep = new Set(typeof opts.except === 'string' ? [opts.except] : (opts.except ?? []))
    const sessions = await this.listForUser(userId)
    const results = await Promise.all(sessions.filter(s => !keep.has(s.id)).map(s => this.destroy(s.id)))
    return results.filter(Boolean).length
  }

  /** Live sessions, by SCAN up to `max` (default 100,000): for operators, not request paths. */
  async countLive ({ max }: { max?: number } = {}): Promise<LiveSessionCount> {
    return await countLiveSessions(this.#redis, this.options.prefix, { max, commandTimeout: this.options.commandTimeout }).then(undefined, this.#fail)
  }

  // Bounded (by our deadline queue, or by the client's own commandTimeout when it is as tight: no
  // timer and one promise less per call), with Redis errors as FRP_SESSION_UNAVAILABLE.
  #bound<T> (p: Promise<T>): Promise<T> {
    return this.#bounded(p).then(undefined, this.#fail)
  }

  /**
   * A failed Redis call as FRP_SESSION_UNAVAILABLE (503), its `cause` the coded error of the call
   * policy (FRP_REDIS_TIMEOUT, FRP_REDIS_UNAVAILABLE, ...); 'error' if listened to.
   */
  readonly #fail = (err: unknown): never => {
    const e = (err as { code?: string })?.code === 'FRP_SESSION_UNAVAILABLE'
      ? err as Error
      : unavailable(this.#policy.coded(err))
    if (this.listenerCount('error') > 0) this.emit('error', e)
    throw e
  }

  /** A script's reply code as a result, or its error ('conflict' if listened to). */
  #check (id: string, code: number): number {
    try {
      return check(code)
    } catch (err) {
      return this.#conflict(id, err)
    }
  }

  #conflict (id: string, err: unknown): never {
    const code = (err as { code?: string })?.code
    if ((code === 'FRP_SESSION_DESTROYED' || code === 'FRP_SESSION_ID_TAKEN') && this.listenerCount('conflict') > 0) this.emit('conflict', id, code)
    throw err
  }

  /** Runs a script; a `durable` write waits for the replicas when the `durability` option is on. */
  #run<T> (name: ScriptName, keys: string[], durable: boolean, args: Array<string | number>): Promise<T> {
    const p = this.#bound(scripts.run<T>(this.#redis, name, keys, args))
    return durable ? this.#durable(keys[0], p) : p
  }

  /**
   * `write`, resolved only once the replicas confirmed it when the `durability` option is on
   * (FRP_NOT_REPLICATED, not wrapped: the master has the write, unlike an unavailable store).
   */
  #durable<T> (key: string, write: Promise<T>): Promise<T> {
    const d = this.options.durability
    if (d === undefined) return write
    return write.then(v => confirmReplicated(this.#redis, key, d, this.#policy.timeoutMs).then(() => v, (err: Error) => {
      if (this.listenerCount('error') > 0) this.emit('error', err)
      throw err
    }))
  }
}

/**
 * Bytes a hash value may have for the hash to stay a listpack (Redis' hash-max-listpack-value
 * default): one longer value turns the whole session into a hashtable, 2-3x the memory.
 */
const LISTPACK_VALUE = 64

/**
 * Appends the metadata fields to `pairs`: '#m' = the JSON when it fits a listpack value; else '#m'
 * = the number of chunks and '#m1'.. '#mN' = the JSON cut into chunks of at most LISTPACK_VALUE
 * bytes, on character boundaries (a user agent alone is ~110-130 bytes). Read back by
 * listForUser (#joinMetadata); a version that reads '#m' alone sees a number, not metadata.
 */
function metadataFields (pairs: string[], json: string): void {
  if (Buffer.byteLength(json) <= LISTPACK_VALUE) {
    pairs.push('#m', json)
    return
  }
  const chunks: string[] = []
  let chunk = ''
  let bytes = 0
  for (const ch of json) {
    const b = Buffer.byteLength(ch)
    if (bytes + b > LISTPACK_VALUE) {
      chunks.push(chunk)
      chunk = ''
      bytes = 0
    }
    chunk += ch
    bytes += b
  }
  chunks.push(chunk)
  pairs.push('#m', String(chunks.length))
  chunks.forEach((c, k) => pairs.push('#m' + String(k + 1), c))
}

function prefixFields (flat: readonly string[]): string[] {
  const out = new Array<string>(flat.length)
  for (let i = 0; i < flat.length; i += 2) {
    out[i] = '=' + flat[i]
    out[i + 1] = flat[i + 1]
  }
  return out
}

// The one place where script error codes become errors.
function check (code: number): number {
  if (code >= 0) return code
  if (code === -1) throw new FRP_SESSION_DESTROYED()
  if (code === -2) throw new FRP_SESSION_ID_TAKEN()
  throw new FRP_SESSION_UNAVAILABLE(`unexpected script reply ${code}`)
}

function unavailable (coded: Error): Error {
  return new FRP_SESSION_UNAVAILABLE(coded.message, { cause: coded })
}

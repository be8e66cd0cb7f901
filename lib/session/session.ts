// Session: the per-request view of one session. Framework-free: the Fastify adapter creates one
// per request that needs it and calls save() before the response is sent. It tracks which fields
// changed so a save writes only those (nothing at all when nothing changed), and it never writes
// for a visitor who never set anything.
import { FRP_INVALID_OPTION } from '../shared/errors.js'
import { newSessionId, tagOf, userTag } from './ids.js'
import { checkUserId, type SessionMetadata, type SessionStore, type StoredSession } from './store.js'

export type MetadataProvider = () => SessionMetadata | null | undefined

export interface RegenerateOptions {
  /** Keep the session's data under the new id (default false: start empty). */
  keepData?: boolean
}

export interface SetUserOptions {
  /** Keep the session's data in the user's new session (default true). */
  keepData?: boolean
}

const MAX_NAME = 256

function checkName (name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME) {
    throw new FRP_INVALID_OPTION('session key', `must be a non-empty string of at most ${MAX_NAME} characters`)
  }
  return name
}

/**
 * A session's values. `Data` types the names it declares (the Fastify plugin uses the
 * `RedisSessionData` interface, which apps extend by declaration merging); any other name stays
 * untyped, as without it.
 */
export class Session<Data extends object = Record<string, unknown>> {
  readonly #store: SessionStore
  readonly #metadata: MetadataProvider | undefined
  #id: string | null
  /** name -> encoded value, as this request sees it (stored values plus local changes). */
  #values: Map<string, string>
  /** name -> true (set) | false (deleted); null when nothing changed. */
  #dirty: Map<string, boolean> | null = null
  #persisted: boolean
  #userId: string | null
  #createdAt: number | null
  #lastSeenAt: number | null
  #absoluteExpiresAt: number | null
  #touch = false

  constructor (store: SessionStore, stored: StoredSession | null = null, metadata?: MetadataProvider) {
    this.#store = store
    this.#metadata = metadata
    if (stored === null) {
      this.#id = null
      this.#values = new Map()
      this.#persisted = false
      this.#userId = null
      this.#createdAt = this.#lastSeenAt = this.#absoluteExpiresAt = null
    } else {
      this.#id = stored.id
      this.#values = stored.values
      this.#persisted = true
      this.#userId = stored.userId
      this.#createdAt = stored.createdAt
      this.#lastSeenAt = stored.lastSeenAt
      this.#absoluteExpiresAt = stored.absoluteExpiresAt
      // Reads never write; the idle timeout slides on the next save, or here at most once per
      // touchInterval (the app's clock only decides when to refresh, Redis decides expiry).
      const o = store.options
      this.#touch = o.rolling && Date.now() - stored.lastSeenAt >= o.touchInterval
    }
  }

  /** The session id (a new session gets one on first use; it is stored only once something is set). */
  get id (): string {
    return (this.#id ??= newSessionId())
  }

  /** The user this session is bound to (see setUser), or null. */
  get userId (): string | null { return this.#userId }
  /** Creation time (ms since the epoch, Redis clock); null until the session is stored. */
  get createdAt (): number | null { return this.#createdAt }
  /** Last activity seen by Redis (ms, throttled by touchInterval); null until stored. */
  get lastSeenAt (): number | null { return this.#lastSeenAt }
  /** When the session ends whatever the activity (ms); null until stored. */
  get absoluteExpiresAt (): number | null { return this.#absoluteExpiresAt }
  /** True when the session exists in Redis (after a load, or once saved). */
  get persisted (): boolean { return this.#persisted }
  /** True when this request changed values (set/delete) that save() will write. */
  get modified (): boolean { return this.#dirty !== null && this.#dirty.size > 0 }
  /** True when save() has something to send: changed values, or an idle-timeout refresh. */
  get changed (): boolean { return (this.#dirty !== null && this.#dirty.size > 0) || (this.#touch && this.#persisted) }

  /** The value stored under `name` (a fresh copy each call), or undefined. */
  // Two type parameters, both inferred: an explicit `get<T>(name)` (one argument) skips this
  // overload for the next one, as before typed data existed.
  get<K extends keyof D & string, D extends object> (this: Session<D>, name: K): D[K] | undefined
  get<T = unknown> (name: string): T | undefined
  get (name: string): unknown {
    const raw = this.#values.get(name)
    if (raw === undefined) return undefined
    try {
      return this.#store.codec.decode(raw)
    } catch {
      // A value that cannot be decoded reads as absent, as everywhere in this package.
      return undefined
    }
  }

  /**
   * Stores `value` under `name`. The value is encoded now (errors surface here): mutate it after
   * set() and call set() again. Setting `undefined` deletes. Setting an equal value writes nothing.
   */
  set<K extends keyof Data & string> (name: K, value: Data[K] | undefined): this
  /** A name `Data` does not declare: any value (a declared name must take its declared type). */
  set<N extends string> (name: N extends keyof Data ? never : N, value: unknown): this
  set (name: string, value: unknown): this {
    checkName(name)
    if (value === undefined) {
      this.delete(name)
      return this
    }
    const encoded = this.#store.codec.encode(value)
    if (this.#values.get(name) === encoded) return this
    this.#values.set(name, encoded)
    ;(this.#dirty ??= new Map()).set(name, true)
    return this
  }

  /** Deletes `name`; true when it existed. */
  delete (name: string): boolean {
    checkName(name)
    if (!this.#values.delete(name)) return false
    ;(this.#dirty ??= new Map()).set(name, false)
    return true
  }

  has (name: string): boolean {
    return this.#values.has(name)
  }

  /** Every value, decoded (fresh copies). */
  all (): Partial<Data> & Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const name of this.#values.keys()) {
      const v = this.get(name)
      if (v !== undefined) out[name] = v
    }
    return out as Partial<Data> & Record<string, unknown>
  }

  /** Refreshes the idle timeout on save even if the touch interval has not passed. */
  touch (): void {
    this.#touch = true
  }

  /**
   * Moves the session to a new id and destroys the old one atomically (use it when privileges
   * change). `keepData: false` (default) starts empty and anonymous.
   */
  async regenerate ({ keepData = false }: RegenerateOptions = {}): Promise<void> {
    const oldId = this.#id
    if (!keepData) {
      if (this.#persisted && oldId !== null) await this.#store.destroy(oldId)
      this.#reset()
      this.#id = newSessionId()
      return
    }
    const newId = newSessionId(oldId === null ? undefined : tagOf(oldId))
    if (!this.#persisted || oldId === null) {
      this.#id = newId
      return
    }
    let stored: StoredSession
    try {
      stored = await this.#store.regenerate(oldId, newId)
    } catch (err) {
      if ((err as { code?: string }).code === 'FRP_SESSION_DESTROYED') this.#reset()
      throw err
    }
    this.#adopt(stored)
  }

  /** Destroys the session in Redis; this request continues with a new, empty one. */
  async destroy (): Promise<void> {
    const id = this.#id
    if (this.#persisted && id !== null) await this.#store.destroy(id)
    this.#reset()
  }

  /**
   * Binds the session to `userId` (log in): the session moves to a new id under the user's hash
   * tag, the old id is destroyed first, and the new session is indexed under the user, stored now.
   * Keeps the data by default. The absolute timeout starts again from here.
   */
  async setUser (userId: string, { keepData = true }: SetUserOptions = {}): Promise<void> {
    const uid = checkUserId(userId)
    let values = keepData ? this.#values : new Map<string, string>()
    const oldId = this.#id
    if (this.#persisted && oldId !== null) {
      // Destroy the old id before the new one exists: if the second step fails, the visitor is
      // logged out (safe), never left with two live ids.
      const taken = await this.#store.take(oldId)
      this.#persisted = false
      if (keepData) {
        values = taken?.values ?? new Map()
        for (const [name, isSet] of this.#dirty ?? []) {
          if (isSet) values.set(name, this.#values.get(name) as string)
          else values.delete(name)
        }
      }
    }
    const flat: string[] = []
    for (const [name, encoded] of values) flat.push(name, encoded)
    const newId = newSessionId(userTag(uid))
    let now: number
    try {
      now = await this.#store.create(newId, flat, { userId: uid, metadata: this.#metadata?.() })
    } catch (err) {
      this.#reset()
      throw err
    }
    this.#id = newId
    this.#values = values
    this.#dirty = null
    this.#persisted = true
    this.#userId = uid
    this.#createdAt = this.#lastSeenAt = now
    this.#absoluteExpiresAt = now + this.#store.options.absoluteTtl
  }

  /**
   * Writes this request's changes (only the changed fields), creating the session if needed.
   * Fails with FRP_SESSION_DESTROYED, writing nothing, when the session was destroyed or
   * regenerated meanwhile; this object then continues as a new, empty session.
   */
  save (): Promise<void> {
    const dirty = this.#dirty
    if (dirty === null || dirty.size === 0) {
      if (!this.#touch || !this.#persisted || this.#id === null) return Promise.resolve()
      this.#touch = false
      return this.#store.touch(this.#id).then(now => { this.#lastSeenAt = now }, err => this.#failed(err, null))
    }
    const set: string[] = []
    const del: string[] = []
    for (const [name, isSet] of dirty) {
      if (isSet) set.push(name, this.#values.get(name) as string)
      else del.push(name)
    }
    this.#dirty = null
    if (!this.#persisted) {
      if (set.length === 0) return Promise.resolve()
      return this.#create(set).then(undefined, err => this.#failed(err, dirty))
    }
    // The idle timeout slides with the write only when a touch is due: most writes are then a
    // single HSET in Redis. (Plain promise chains, not async functions: this runs on every
    // modifying request, and each async layer costs a promise and a microtask.)
    const refresh = this.#touch
    this.#touch = false
    return this.#store.update(this.id, set, del, { refresh }).then(
      now => { if (refresh) this.#lastSeenAt = now },
      err => this.#failed(err, dirty))
  }

  async #create (set: string[]): Promise<void> {
    const now = await this.#store.create(this.id, set, { metadata: this.#metadata?.() })
    this.#persisted = true
    this.#createdAt = this.#lastSeenAt = now
    this.#absoluteExpiresAt = now + this.#store.options.absoluteTtl
  }

  // A failed save: a session that is gone leaves this object as a new, empty session; any other
  // failure keeps the changes for a retry (changes made meanwhile win).
  #failed (err: unknown, dirty: Map<string, boolean> | null): never {
    if ((err as { code?: string }).code === 'FRP_SESSION_DESTROYED') {
      this.#reset()
    } else if (dirty !== null) {
      const merged = this.#dirty ?? new Map<string, boolean>()
      for (const [name, isSet] of dirty) if (!merged.has(name)) merged.set(name, isSet)
      this.#dirty = merged
    }
    throw err
  }

  #adopt (stored: StoredSession): void {
    // Changes this request made before regenerating still apply, under the new id.
    for (const [name, isSet] of this.#dirty ?? []) {
      if (isSet) stored.values.set(name, this.#values.get(name) as string)
      else stored.values.delete(name)
    }
    this.#id = stored.id
    this.#values = stored.values
    this.#persisted = true
    this.#userId = stored.userId
    this.#createdAt = stored.createdAt
    this.#lastSeenAt = stored.lastSeenAt
    this.#absoluteExpiresAt = stored.absoluteExpiresAt
  }

  #reset (): void {
    this.#id = null
    this.#values = new Map()
    this.#dirty = null
    this.#persisted = false
    this.#userId = null
    this.#touch = false
    this.#createdAt = this.#lastSeenAt = this.#absoluteExpiresAt = null
  }
}

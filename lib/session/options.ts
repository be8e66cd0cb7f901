// Options of the session core, validated and normalized once at construction.
import { createCodec, defaultCodec, type Codec, type CodecOptions } from '../shared/codec.js'
import { normalizeDurability, type Durability, type DurabilityOptions } from '../shared/durability.js'
import { invalid, optBool, optDuration, optString, rejectUnknown, type Duration } from '../shared/options.js'

export interface SessionStoreOptions {
  /** Global key prefix (default 'frp'); keys are `<prefix>:session:{<tag>}:...`. */
  prefix?: string
  /** Idle timeout, ms or a duration string ('30 minutes'; default 1 day): a session unused this long expires. */
  ttl?: Duration
  /** Absolute timeout from creation, ms or a duration string (default 7 days), whatever the activity. */
  absoluteTtl?: Duration
  /** Slide the idle timeout on activity (default true); false = expire `ttl` after creation. */
  rolling?: boolean
  /** A read refreshes the idle timeout at most once per this long, ms or a duration string (default min(60 s, ttl / 10)). */
  touchInterval?: Duration
  /** Bound on every Redis wait, ms or a duration string (default 1000). */
  commandTimeout?: Duration
  /** Codec of session values: a Codec or options for one (default: the shared default codec). */
  codec?: Codec | CodecOptions
  /**
   * Wait for this many replicas (`WAIT`) before a create, save, regenerate or destroy resolves;
   * FRP_NOT_REPLICATED (503) when they do not confirm within `timeout`. Off by default (see
   * docs/failover.md for the window without it). A touch (idle-timeout refresh only) never waits.
   */
  durability?: DurabilityOptions
  /**
   * Keep the per-user index that listForUser and destroyAllForUser read (default true): one sorted
   * set per user, about 230 bytes of Redis per user with one session (docs/session.md, Memory).
   * false: sessions still carry their userId, listForUser and destroyAllForUser throw.
   */
  userIndex?: boolean
}

export interface NormalizedStoreOptions {
  prefix: string
  ttl: number
  absoluteTtl: number
  rolling: boolean
  touchInterval: number
  commandTimeout: number
  codec: Codec
  durability: Durability | undefined
  userIndex: boolean
}

export const STORE_OPTIONS = ['prefix', 'ttl', 'absoluteTtl', 'rolling', 'touchInterval', 'commandTimeout', 'codec', 'durability', 'userIndex'] as const

const DAY = 86_400_000

function isCodec (c: unknown): c is Codec {
  return typeof (c as Codec).encode === 'function' && typeof (c as Codec).decode === 'function'
}

export function normalizeStoreOptions (opts: SessionStoreOptions = {}, where = 'session'): NormalizedStoreOptions {
  rejectUnknown(where, opts, STORE_OPTIONS)
  const prefix = optString(`${where}.prefix`, opts.prefix, 'frp')
  const ttl = optDuration(`${where}.ttl`, opts.ttl, DAY, 1)
  const absoluteTtl = optDuration(`${where}.absoluteTtl`, opts.absoluteTtl, 7 * DAY, 1)
  const rolling = optBool(`${where}.rolling`, opts.rolling, true)
  const touchInterval = optDuration(`${where}.touchInterval`, opts.touchInterval, Math.min(60_000, Math.floor(ttl / 10)), 0, ttl)
  if (rolling && touchInterval >= ttl) throw invalid(`${where}.touchInterval`, `must be below ttl (${ttl}), got ${touchInterval}`)
  const commandTimeout = optDuration(`${where}.commandTimeout`, opts.commandTimeout, 1000, 1)
  let codec: Codec = defaultCodec
  if (opts.codec !== undefined) {
    if (opts.codec === null || typeof opts.codec !== 'object') throw invalid(`${where}.codec`, 'must be a codec or codec options')
    codec = isCodec(opts.codec) ? opts.codec : createCodec(opts.codec)
  }
  const durability = normalizeDurability(`${where}.durability`, opts.durability)
  const userIndex = optBool(`${where}.userIndex`, opts.userIndex, true)
  return { prefix, ttl, absoluteTtl, rolling, touchInterval, commandTimeout, codec, durability, userIndex }
}

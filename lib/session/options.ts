// Options of the session core, validated and normalized once at construction.
import { createCodec, defaultCodec, type Codec, type CodecOptions } from '../shared/codec.js'
import { invalid, optBool, optInt, optString, rejectUnknown } from '../shared/options.js'

export interface SessionStoreOptions {
  /** Global key prefix (default 'frp'); keys are `<prefix>:session:{<tag>}:...`. */
  prefix?: string
  /** Idle timeout in ms (default 1 day): a session unused this long expires. */
  ttl?: number
  /** Absolute timeout in ms from creation (default 7 days), whatever the activity. */
  absoluteTtl?: number
  /** Slide the idle timeout on activity (default true); false = expire `ttl` after creation. */
  rolling?: boolean
  /** A read refreshes the idle timeout at most once per this many ms (default min(60 s, ttl / 10)). */
  touchInterval?: number
  /** Bound on every Redis wait, in ms (default 1000). */
  commandTimeout?: number
  /** Codec of session values: a Codec or options for one (default: the shared default codec). */
  codec?: Codec | CodecOptions
}

export interface NormalizedStoreOptions {
  prefix: string
  ttl: number
  absoluteTtl: number
  rolling: boolean
  touchInterval: number
  commandTimeout: number
  codec: Codec
}

export const STORE_OPTIONS = ['prefix', 'ttl', 'absoluteTtl', 'rolling', 'touchInterval', 'commandTimeout', 'codec'] as const

const DAY = 86_400_000

function isCodec (c: unknown): c is Codec {
  return typeof (c as Codec).encode === 'function' && typeof (c as Codec).decode === 'function'
}

export function normalizeStoreOptions (opts: SessionStoreOptions = {}, where = 'session'): NormalizedStoreOptions {
  rejectUnknown(where, opts, STORE_OPTIONS)
  const prefix = optString(`${where}.prefix`, opts.prefix, 'frp')
  const ttl = optInt(`${where}.ttl`, opts.ttl, DAY, 1)
  const absoluteTtl = optInt(`${where}.absoluteTtl`, opts.absoluteTtl, 7 * DAY, 1)
  const rolling = optBool(`${where}.rolling`, opts.rolling, true)
  const touchInterval = optInt(`${where}.touchInterval`, opts.touchInterval, Math.min(60_000, Math.floor(ttl / 10)), 0, ttl)
  if (rolling && touchInterval >= ttl) throw invalid(`${where}.touchInterval`, `must be below ttl (${ttl}), got ${touchInterval}`)
  const commandTimeout = optInt(`${where}.commandTimeout`, opts.commandTimeout, 1000, 1)
  let codec: Codec = defaultCodec
  if (opts.codec !== undefined) {
    if (opts.codec === null || typeof opts.codec !== 'object') throw invalid(`${where}.codec`, 'must be a codec or codec options')
    codec = isCodec(opts.codec) ? opts.codec : createCodec(opts.codec)
  }
  return { prefix, ttl, absoluteTtl, rolling, touchInterval, commandTimeout, codec }
}

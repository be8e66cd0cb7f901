// Value codec shared by every pattern that stores user values.
//
// Wire format: one header character, then the payload.
//   's' + string            a plain string (no JSON cost)
//   'j' + JSON              a plain JSON value (fast path: no replacer, no reviver)
//   't' + tagged JSON       JSON in which Date, BigInt, Map, Set, Buffer/Uint8Array, undefined
//                           inside containers, NaN/±Infinity and -0 are objects {"$frp": type, "v": …}
//   'z' + base64(deflate)   a compressed encoding of one of the above (added above a threshold)
// Old and new entries coexist: decode reads whatever header it finds. Payloads are strings, so
// every Redis command and Lua script can treat them as ordinary values (base64 costs a third on
// compressed entries only, which are already much smaller than the original).
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { FRP_CODEC_CORRUPT, FRP_UNSUPPORTED_VALUE, FRP_VALUE_TOO_LARGE, isFrpError } from './errors.js'
import { optInt, optBool, rejectUnknown } from './options.js'

export interface CodecOptions {
  /** Compress encodings longer than this many bytes (default 4096). `false` disables compression. */
  compressThreshold?: number | false
  /**
   * Reject values whose encoding (before compression) is longer than this many bytes with
   * FRP_VALUE_TOO_LARGE (default 1 MiB). Decoding refuses compressed entries that would inflate
   * past it (FRP_CODEC_CORRUPT), so no stored entry can expand into more memory than this.
   */
  maxBytes?: number
  /** Allow `undefined` at the top level (encoded as tagged JSON). Default false. */
  allowUndefined?: boolean
}

export interface Codec {
  encode (value: unknown): string
  decode (raw: string | Buffer): unknown
  readonly options: Readonly<Required<Omit<CodecOptions, 'compressThreshold'>> & { compressThreshold: number | false }>
}

const TAG = '$frp'

/** True when JSON.stringify + JSON.parse returns an equal value, checked without allocating. */
function isPlainJson (value: unknown, depth: number): boolean {
  if (depth > 64) return false
  switch (typeof value) {
    case 'string': case 'boolean': return true
    case 'number': return Number.isFinite(value) && !Object.is(value, -0)
    case 'object': {
      if (value === null) return true
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const v = value[i]
          if (v === undefined || !isPlainJson(v, depth + 1)) return false
        }
        return true
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return false
      for (const k in value) {
        if (k === TAG) return false
        const v = (value as Record<string, unknown>)[k]
        // undefined properties are dropped by JSON, exactly as a round trip through JSON would.
        if (v !== undefined && !isPlainJson(v, depth + 1)) return false
      }
      return true
    }
    default: return false
  }
}

function tagged (type: string, v: unknown): unknown { return { [TAG]: type, v } }

function replacer (this: any, key: string, _value: unknown): unknown {
  // Read the raw value: JSON.stringify has already called toJSON on Dates and Buffers.
  const value = this[key]
  switch (typeof value) {
    case 'bigint': return tagged('BigInt', value.toString())
    case 'undefined': return Array.isArray(this) ? tagged('undefined', 0) : undefined
    case 'number':
      if (Number.isNaN(value)) return tagged('Number', 'NaN')
      if (value === Infinity) return tagged('Number', 'Infinity')
      if (value === -Infinity) return tagged('Number', '-Infinity')
      if (Object.is(value, -0)) return tagged('Number', '-0')
      return value
    case 'function': case 'symbol':
      throw new FRP_UNSUPPORTED_VALUE(`${typeof value} at "${key}"`)
    case 'object': {
      if (value === null) return null
      if (value instanceof Date) return tagged('Date', Number.isNaN(value.getTime()) ? null : value.toISOString())
      if (value instanceof Map) return tagged('Map', [...value.entries()])
      if (value instanceof Set) return tagged('Set', [...value.values()])
      if (Buffer.isBuffer(value)) return tagged('Buffer', value.toString('base64'))
      if (value instanceof Uint8Array) return tagged('Uint8Array', Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'))
      if (Array.isArray(value)) return value
      if (value instanceof RegExp) return tagged('RegExp', [value.source, value.flags])
      // Objects JSON would quietly turn into {} (or a lossy index map): refused, not corrupted.
      if (isOpaque(value)) throw new FRP_UNSUPPORTED_VALUE(`${value.constructor?.name ?? 'object'} at "${key}"`)
      if (Object.hasOwn(value, TAG)) return tagged('Object', Object.entries(value))
      return value
    }
    default: return value
  }
}

/** Built-ins whose state JSON cannot see: stored, they would read back as {} or an index map. */
function isOpaque (value: object): boolean {
  return value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef || value instanceof Promise ||
    value instanceof Error || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer ||
    ArrayBuffer.isView(value) // Uint8Array and Buffer were handled before; other typed arrays and DataView
}

/**
 * Why JSON.stringify threw, as a coded error: a cycle and a too-deep value (the stack overflows
 * in the serializer) are the caller's value, not a server fault.
 */
function unsupported (err: unknown, what = ''): Error {
  if (isFrpError(err)) return err
  const message = (err as Error)?.message ?? String(err)
  if (err instanceof TypeError && /circular/i.test(message)) return new FRP_UNSUPPORTED_VALUE(what + 'circular structure')
  if (err instanceof RangeError && /call stack/i.test(message)) return new FRP_UNSUPPORTED_VALUE(what + 'nested too deeply')
  if (err instanceof TypeError && /BigInt/.test(message)) return new FRP_UNSUPPORTED_VALUE(what + 'BigInt is not JSON')
  return new FRP_UNSUPPORTED_VALUE(what + message)
}

/**
 * JSON.stringify for the few values stored as plain JSON rather than through a codec (session
 * metadata, job progress): a cycle, a BigInt or a function is FRP_UNSUPPORTED_VALUE naming
 * `what`, not JSON.stringify's bare TypeError (or a silent `undefined`).
 */
export function toJson (value: unknown, what: string): string {
  let out: string | undefined
  try {
    out = JSON.stringify(value)
  } catch (err) {
    throw unsupported(err, `${what}: `)
  }
  if (typeof out !== 'string') throw new FRP_UNSUPPORTED_VALUE(`${what}: ${typeof value} is not JSON`)
  return out
}

function reviver (_key: string, value: any): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, TAG)) return value
  const v = value.v
  switch (value[TAG]) {
    case 'BigInt': return BigInt(v)
    case 'undefined': return undefined
    case 'Number': return Number(v)
    case 'Date': return new Date(v === null ? NaN : v)
    case 'Map': return new Map(v)
    case 'Set': return new Set(v)
    case 'Buffer': return Buffer.from(v, 'base64')
    case 'Uint8Array': return new Uint8Array(Buffer.from(v, 'base64'))
    case 'RegExp': return new RegExp(v[0], v[1])
    case 'Object': return Object.fromEntries(v)
    default: throw new FRP_CODEC_CORRUPT(`unknown type tag ${JSON.stringify(value[TAG])}`)
  }
}

// JSON.parse's reviver sees undefined as "delete this property", which is right for objects but
// leaves holes in arrays; tagged 'undefined' inside arrays becomes a hole, which reads as undefined.

export function createCodec (options: CodecOptions = {}): Codec {
  rejectUnknown('codec', options, ['compressThreshold', 'maxBytes', 'allowUndefined'])
  const compressThreshold = options.compressThreshold === false ? false : optInt('codec.compressThreshold', options.compressThreshold, 4096, 1)
  const maxBytes = optInt('codec.maxBytes', options.maxBytes, 1024 * 1024, 1)
  const allowUndefined = optBool('codec.allowUndefined', options.allowUndefined, false)

  function encodeRaw (value: unknown): string {
    if (typeof value === 'string') {
      // A UTF-8 byte per UTF-16 unit at least: refused before the copy 's' + value would make.
      if (value.length >= maxBytes) tooLarge(Buffer.byteLength(value) + 1)
      return 's' + value
    }
    if (value === undefined) {
      if (!allowUndefined) throw new FRP_UNSUPPORTED_VALUE('undefined')
      return 't' + JSON.stringify(tagged('undefined', 0))
    }
    try {
      if (isPlainJson(value, 0)) return 'j' + JSON.stringify(value)
      return 't' + JSON.stringify(value, replacer)
    } catch (err) {
      throw unsupported(err)
    }
  }

  function tooLarge (atLeast: number): never {
    throw new FRP_VALUE_TOO_LARGE(atLeast, maxBytes)
  }

  function encode (value: unknown): string {
    const out = encodeRaw(value)
    // Checked before compression: maxBytes bounds what a reader decodes and holds in memory, not
    // only what Redis stores (30 MB of one repeated character deflates to a few kB).
    // A UTF-16 unit is at most 3 UTF-8 bytes, so most values skip the exact count.
    if (out.length * 3 > maxBytes) {
      const bytes = Buffer.byteLength(out)
      if (bytes > maxBytes) tooLarge(bytes)
    }
    if (compressThreshold !== false && out.length > compressThreshold) {
      const z = 'z' + deflateRawSync(out).toString('base64')
      if (z.length < out.length) return z
    }
    return out
  }

  function decode (raw: string | Buffer): unknown {
    const s = typeof raw === 'string' ? raw : raw.toString('utf8')
    if (s.length === 0) throw new FRP_CODEC_CORRUPT('empty value')
    const header = s.charCodeAt(0)
    try {
      switch (header) {
        case 115: return s.slice(1) // 's'
        case 106: return JSON.parse(s.slice(1)) // 'j'
        case 116: return JSON.parse(s.slice(1), reviver) // 't'
        case 122: { // 'z'
          // No decompression bomb: an entry this codec wrote inflates to at most maxBytes (the
          // encode limit), so anything larger is corrupt or hostile and is refused while
          // inflating, before the memory is taken.
          const inner = inflateRawSync(Buffer.from(s.slice(1), 'base64'), { maxOutputLength: maxBytes }).toString('utf8')
          if (inner.charCodeAt(0) === 122) throw new FRP_CODEC_CORRUPT('nested compression')
          return decode(inner)
        }
        default: throw new FRP_CODEC_CORRUPT(`unknown header ${JSON.stringify(s[0])}`)
      }
    } catch (err) {
      if ((err as { code?: string }).code === 'FRP_CODEC_CORRUPT') throw err
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new FRP_CODEC_CORRUPT(`compressed entry inflates past maxBytes (${maxBytes})`)
      throw new FRP_CODEC_CORRUPT((err as Error).message)
    }
  }

  return { encode, decode, options: { compressThreshold, maxBytes, allowUndefined } }
}

/** The codec with default options, shared by callers that do not configure their own. */
export const defaultCodec = createCodec()

// Small validators used when options are normalized once, at construction. Each throws
// FRP_INVALID_OPTION naming the option, so a typo fails at startup with a message that says where.
import { parse as parseMs } from '@lukeed/ms'
import { FRP_INVALID_OPTION } from './errors.js'

/**
 * A duration: a non-negative integer number of milliseconds, or a string such as '30s',
 * '5 minutes', '1.5h' or '250ms' (parsed once, when options are normalized, by @lukeed/ms).
 */
export type Duration = number | string

export function invalid (name: string, why: string): Error {
  return new FRP_INVALID_OPTION(name, why)
}

export function optInt (name: string, value: unknown, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return def
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(name, `must be an integer, got ${describe(value)}`)
  if (value < min || value > max) throw invalid(name, `must be between ${min} and ${max}, got ${value}`)
  return value
}

export function optNumber (name: string, value: unknown, def: number, min = 0, max = Number.MAX_VALUE): number {
  if (value === undefined) return def
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(name, `must be a finite number, got ${describe(value)}`)
  if (value < min || value > max) throw invalid(name, `must be between ${min} and ${max}, got ${value}`)
  return value
}

/**
 * A duration option in ms: a non-negative integer number, or a string @lukeed/ms parses ('30s',
 * '5 minutes') to a whole number of ms between min and max. Parse once, at normalization.
 */
export function optDuration (name: string, value: unknown, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return def
  return toMs(value, min, max, why => invalid(name, why))
}

/** Like optDuration, but undefined stays undefined (an optional duration with no default). */
export function optDurationOrUndefined (name: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return value === undefined ? undefined : toMs(value, min, max, why => invalid(name, why))
}

/**
 * The ms of a duration (a number or a string), or the error `fail` makes: lets a method call that
 * has its own error for bad input (FRP_JOB_INVALID, …) share the parsing. Numbers pass through a
 * type check only, so a caller on a hot path pays nothing for strings it does not get.
 */
export function toMs (value: unknown, min: number, max: number, fail: (why: string) => Error): number {
  let ms: number | undefined
  if (typeof value === 'number') ms = value
  else if (typeof value === 'string') {
    ms = parseDuration(value)
    if (ms === undefined || !Number.isFinite(ms)) throw fail(`must be a duration (ms or a string like '30s' or '5 minutes'), got ${describe(value)}`)
    if (!Number.isInteger(ms)) throw fail(`must be a whole number of ms, got ${describe(value)} (${ms} ms)`)
  } else {
    throw fail(`must be a duration (ms or a string like '30s' or '5 minutes'), got ${describe(value)}`)
  }
  if (!Number.isInteger(ms)) throw fail(`must be an integer number of ms, got ${describe(value)}`)
  if (ms < min || ms > max) throw fail(`must be between ${min} and ${max} ms, got ${describe(value)}${typeof value === 'string' ? ` (${ms} ms)` : ''}`)
  return ms
}

function parseDuration (s: string): number | undefined {
  const ms = parseMs(s)
  if (ms !== undefined) return ms
  // @lukeed/ms answers undefined for a zero ('0s', '0ms'): a zero with a unit it knows is 0.
  const zero = /^-?(?:0+\.?0*|\.0+)(\D*)$/.exec(s)
  return zero !== null && parseMs(`1${zero[1]}`) !== undefined ? 0 : undefined
}

export function optBool (name: string, value: unknown, def: boolean): boolean {
  if (value === undefined) return def
  if (typeof value !== 'boolean') throw invalid(name, `must be a boolean, got ${describe(value)}`)
  return value
}

export function optString (name: string, value: unknown, def: string, { allowEmpty = false } = {}): string {
  if (value === undefined) return def
  if (typeof value !== 'string') throw invalid(name, `must be a string, got ${describe(value)}`)
  if (!allowEmpty && value.length === 0) throw invalid(name, 'must not be empty')
  return value
}

export function optEnum<T extends string> (name: string, value: unknown, allowed: readonly T[], def: T): T {
  if (value === undefined) return def
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw invalid(name, `must be one of ${allowed.map(a => `'${a}'`).join(', ')}, got ${describe(value)}`)
  }
  return value as T
}

export function optFunction<F extends (...args: any[]) => unknown> (name: string, value: unknown, def: F): F
export function optFunction<F extends (...args: any[]) => unknown> (name: string, value: unknown): F | undefined
export function optFunction<F extends (...args: any[]) => unknown> (name: string, value: unknown, def?: F): F | undefined {
  if (value === undefined) return def
  if (typeof value !== 'function') throw invalid(name, `must be a function, got ${describe(value)}`)
  return value as F
}

/** Rejects keys of `opts` not listed in `known`, so a misspelt option is not silently ignored. */
export function rejectUnknown (where: string, opts: object | undefined, known: readonly string[]): void {
  if (opts === undefined || opts === null) return
  if (typeof opts !== 'object') throw invalid(where, `options must be an object, got ${describe(opts)}`)
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw invalid(`${where}.${k}`, `unknown option (known: ${known.join(', ')})`)
  }
}

export function describe (value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

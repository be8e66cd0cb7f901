// Options of the one-time codes core, checked and normalized once (per OneTimeCodes, and per
// issue() call that passes its own), so issuing and verifying read plain numbers.
import { invalid, optDuration, optInt, optString, rejectUnknown, describe, type Duration } from '../shared/options.js'

export interface OneTimeCodesOptions {
  /**
   * The server secret the stored digests are keyed with (HMAC-SHA256), at least 32 bytes; the
   * same on every instance. An array rotates secrets: codes are issued under the first, and a
   * guess is checked under each (so codes issued before a rotation still verify until they expire).
   */
  secret: string | Buffer | ReadonlyArray<string | Buffer>
  /** Global key prefix (keys are `prefix:otp:{subject}`). Default 'frp'. */
  prefix?: string
  /** How long a code is valid: ms or a duration string. Default '5m'. */
  ttl?: Duration
  /** Wrong guesses allowed per code; the last one burns it. Default 5. */
  attempts?: number
  /** Shortest time between two codes for one subject: ms or a duration string (0: none). Default '60s'. */
  cooldown?: Duration
  /** Characters of the code, each used once (2 to 256 of them). Default '0123456789'. */
  alphabet?: string
  /** Characters per code (4 to 64). Default 6. */
  length?: number
  /** Bound of every Redis command: ms or a duration string. Default 1000. */
  commandTimeout?: Duration
}

export interface IssueOptions {
  /** This code's TTL (default: the core's). */
  ttl?: Duration
  /** This code's wrong-guess limit (default: the core's). */
  attempts?: number
  /** The cooldown this code starts (default: the core's). */
  cooldown?: Duration
}

export interface NormalizedIssueOptions {
  ttl: number
  attempts: number
  cooldown: number
}

export interface NormalizedOneTimeCodesOptions extends NormalizedIssueOptions {
  /** The secrets, the current one first. */
  secrets: readonly Buffer[]
  prefix: string
  alphabet: readonly string[]
  length: number
  commandTimeout: number
}

const MAX_TTL = 2 ** 31 - 1
const MAX_ATTEMPTS = 1000
/** Fewer possible codes than this and even the attempt limit leaves a guesser good odds. */
const MIN_CODES = 10_000

function normalizeSecrets (value: unknown): Buffer[] {
  if (value === undefined) throw invalid('otp.secret', 'is required (at least 32 bytes, the same on every instance): the stored digests are keyed with it')
  const list = Array.isArray(value) ? value as unknown[] : [value]
  if (list.length === 0) throw invalid('otp.secret', 'must not be an empty array')
  return list.map((s, i) => {
    const where = Array.isArray(value) ? `otp.secret[${i}]` : 'otp.secret'
    const buf = typeof s === 'string' ? Buffer.from(s) : Buffer.isBuffer(s) ? s : null
    if (buf === null) throw invalid(where, `must be a string or a Buffer, got ${describe(s)}`)
    if (buf.length < 32) throw invalid(where, `must be at least 32 bytes, got ${buf.length}`)
    return buf
  })
}

function normalizeAlphabet (value: unknown): string[] {
  const s = optString('otp.alphabet', value, '0123456789')
  const chars = Array.from(s)
  if (chars.length < 2 || chars.length > 256) throw invalid('otp.alphabet', `must have 2 to 256 characters, got ${chars.length}`)
  // A repeated character would be drawn twice as often: codes would no longer be uniform.
  const seen = new Set<string>()
  for (const c of chars) {
    if (seen.has(c)) throw invalid('otp.alphabet', `must not repeat a character, got ${JSON.stringify(c)} twice`)
    if (/\s/u.test(c)) throw invalid('otp.alphabet', 'must not contain white space')
    seen.add(c)
  }
  return chars
}

export function normalizeOneTimeCodesOptions (opts: OneTimeCodesOptions): NormalizedOneTimeCodesOptions {
  if (opts === null || typeof opts !== 'object') throw invalid('otp', `options must be an object with a secret, got ${describe(opts)}`)
  rejectUnknown('otp', opts, ['secret', 'prefix', 'ttl', 'attempts', 'cooldown', 'alphabet', 'length', 'commandTimeout'])
  const alphabet = normalizeAlphabet(opts.alphabet)
  const length = optInt('otp.length', opts.length, 6, 4, 64)
  if (alphabet.length ** length < MIN_CODES) {
    throw invalid('otp.length', `${length} characters of a ${alphabet.length}-character alphabet make ${alphabet.length ** length} codes, fewer than ${MIN_CODES}`)
  }
  return {
    secrets: normalizeSecrets(opts.secret),
    prefix: optString('otp.prefix', opts.prefix, 'frp'),
    alphabet,
    length,
    ttl: optDuration('otp.ttl', opts.ttl, 300_000, 1000, MAX_TTL),
    attempts: optInt('otp.attempts', opts.attempts, 5, 1, MAX_ATTEMPTS),
    cooldown: optDuration('otp.cooldown', opts.cooldown, 60_000, 0, MAX_TTL),
    commandTimeout: optDuration('otp.commandTimeout', opts.commandTimeout, 1000, 1, MAX_TTL)
  }
}

export function normalizeIssueOptions (opts: IssueOptions, base: NormalizedIssueOptions): NormalizedIssueOptions {
  rejectUnknown('otp.issue', opts, ['ttl', 'attempts', 'cooldown'])
  return {
    ttl: optDuration('otp.issue.ttl', opts.ttl, base.ttl, 1000, MAX_TTL),
    attempts: optInt('otp.issue.attempts', opts.attempts, base.attempts, 1, MAX_ATTEMPTS),
    cooldown: optDuration('otp.issue.cooldown', opts.cooldown, base.cooldown, 0, MAX_TTL)
  }
}

// One-time codes on Redis (passwordless login, e-mail or phone confirmation): a code for a subject
// with a TTL, verified at most once by one atomic script that also counts wrong guesses and burns
// the code at the limit, and a resend cooldown per subject checked in the same script that issues.
// Redis stores an HMAC of each code, never the code (digest.ts says why a plain hash would not do).
import type { RedisClient } from '../shared/client.js'
import { TypedEmitter } from '../shared/events.js'
import { keySpace, type KeySpace } from '../shared/keys.js'
import { callPolicy, type CallPolicy } from '../shared/call-policy.js'
import { FRP_OTP_ARGUMENT, FRP_OTP_COOLDOWN } from '../shared/errors.js'
import { describe } from '../shared/options.js'
import { generateCode } from './code.js'
import { codeDigest, digestKey } from './digest.js'
import type { KeyObject } from 'node:crypto'
import { scripts } from './scripts.js'
import {
  normalizeIssueOptions, normalizeOneTimeCodesOptions,
  type IssueOptions, type NormalizedIssueOptions, type NormalizedOneTimeCodesOptions, type OneTimeCodesOptions
} from './options.js'

/** What a guess came to: the code matched (and is now used), did not, was not there, or is burnt. */
export type OtpResult = 'ok' | 'wrong' | 'expired' | 'exhausted'

export interface IssuedCode {
  /** The code, to send to the subject (Redis holds only its digest). */
  code: string
  /** When it expires: ms since the epoch, by Redis's clock. */
  expiresAt: number
}

export interface VerifyResult {
  result: OtpResult
  /** Wrong guesses the code still allows (0 unless `result` is 'wrong'). */
  attemptsLeft: number
}

/** The error of an issue() within the subject's cooldown (429, FRP_OTP_COOLDOWN). */
export type OtpCooldownError = InstanceType<typeof FRP_OTP_COOLDOWN> & { retryAfterMs: number }

/**
 * A OneTimeCodes' events (emitted only while someone listens). Subjects are e-mail addresses and
 * phone numbers: fine for a log line, never a metric label.
 */
export interface OneTimeCodesEvents {
  /** A code was issued for `subject`, valid until `expiresAt`. */
  issued: [subject: string, expiresAt: number]
  /** An issue() was refused: the subject's cooldown runs for `retryAfterMs` more ms. */
  cooldown: [subject: string, retryAfterMs: number]
  /** A guess for `subject` was checked. */
  verified: [subject: string, result: OtpResult, attemptsLeft: number]
}

/** verify-1.lua's reply is result + 10 * attemptsLeft, result by index here. */
const RESULTS: readonly OtpResult[] = ['ok', 'ok', 'wrong', 'expired', 'exhausted']
/** Longest subject (an e-mail address is at most 254 characters; room for a purpose prefix). */
export const MAX_SUBJECT = 512
/** Longest guess looked at; anything longer is refused before Redis sees it. */
export const MAX_GUESS = 256

type Script<T> = (...keysThenArgs: Array<string | number>) => Promise<T>

export class OneTimeCodes extends TypedEmitter<OneTimeCodesEvents> {
  /** The options, normalized. */
  readonly options: Readonly<NormalizedOneTimeCodesOptions>
  readonly #space: KeySpace
  readonly #policy: CallPolicy
  readonly #issue: Script<[number, number]>
  readonly #verify: Script<number>
  readonly #redis: RedisClient
  /** The secrets as HMAC keys, the current one first. */
  readonly #keys: readonly KeyObject[]

  constructor (redis: RedisClient, options: OneTimeCodesOptions) {
    super()
    this.options = normalizeOneTimeCodesOptions(options)
    this.#redis = redis
    this.#space = keySpace(this.options.prefix, 'otp')
    this.#policy = callPolicy(redis, this.options.commandTimeout)
    this.#issue = scripts.bind<[number, number]>(redis, 'issue')
    this.#verify = scripts.bind<number>(redis, 'verify')
    this.#keys = this.options.secrets.map(digestKey)
  }

  /** The Redis key of `subject`'s code (its cooldown is this key + ':cooldown'). */
  redisKey (subject: string): string {
    return this.#space.key(checkSubject(subject))
  }

  /**
   * A new code for `subject`, replacing any code it had (and its attempt count). Rejects with
   * FRP_OTP_COOLDOWN (429, `retryAfterMs`) while the cooldown of the previous code runs, nothing
   * changed; FRP_OTP_ARGUMENT for a subject that is not a non-empty string.
   */
  async issue (subject: string, options?: IssueOptions): Promise<IssuedCode> {
    const key = this.redisKey(subject)
    const o: NormalizedIssueOptions = options === undefined ? this.options : normalizeIssueOptions(options, this.options)
    const code = generateCode(this.options.alphabet, this.options.length)
    const digest = codeDigest(this.#keys[0], subject, code)
    const [issued, n] = await this.#policy.bound(this.#issue(key, key + ':cooldown', digest, o.attempts, o.ttl, o.cooldown))
      .then(undefined, err => { throw this.#policy.coded(err, { script: 'otp.issue' }) })
    if (issued !== 1) {
      if (this.listenerCount('cooldown') > 0) this.emit('cooldown', subject, n)
      const err = new FRP_OTP_COOLDOWN(Math.ceil(n / 1000)) as OtpCooldownError
      err.retryAfterMs = n
      throw err
    }
    if (this.listenerCount('issued') > 0) this.emit('issued', subject, n)
    return { code, expiresAt: n }
  }

  /**
   * Checks `code` against `subject`'s code: 'ok' uses the code up; 'wrong' spends an attempt,
   * and the last one burns the code ('exhausted', for this guess and every later one until a new
   * code is issued); 'expired' when there is no code (never issued, expired, or already used).
   */
  async verify (subject: string, code: string): Promise<VerifyResult> {
    const key = this.redisKey(subject)
    if (typeof code !== 'string' || code.length === 0 || code.length > MAX_GUESS) {
      throw new FRP_OTP_ARGUMENT('code', `must be a string of 1 to ${MAX_GUESS} characters, got ${describe(code)}`)
    }
    const keys = this.#keys
    const p = keys.length === 1
      ? this.#verify(key, codeDigest(keys[0], subject, code))
      : this.#verify(key, ...keys.map(k => codeDigest(k, subject, code)))
    const n = await this.#policy.bound(p).then(undefined, err => { throw this.#policy.coded(err, { script: 'otp.verify' }) })
    const result = RESULTS[n % 10]
    const attemptsLeft = Math.floor(n / 10)
    if (this.listenerCount('verified') > 0) this.emit('verified', subject, result, attemptsLeft)
    return { result, attemptsLeft }
  }

  /** Deletes `subject`'s code, if any (its cooldown keeps running). True when there was one. */
  async revoke (subject: string): Promise<boolean> {
    const key = this.redisKey(subject)
    return await this.#policy.bound(this.#redis.del(key)).then(n => n === 1, err => { throw this.#policy.coded(err, { command: 'DEL' }) })
  }
}

function checkSubject (subject: unknown): string {
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT) {
    throw new FRP_OTP_ARGUMENT('subject', `must be a string of 1 to ${MAX_SUBJECT} characters, got ${describe(subject)}`)
  }
  return subject
}

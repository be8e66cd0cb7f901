// Daily activity on Redis bitmaps: one key per day, one bit per numeric user id (SETBIT), for
// "was this user active", daily / weekly / monthly active users (BITCOUNT, BITOP OR), streaks and
// day-to-day retention (BITOP AND). Every day of one name shares a hash tag, so the multi-day
// commands run in one Cluster slot (see docs/activity.md for the trade-off).
import type { RedisClient } from '../shared/client.js'
import { TypedEmitter } from '../shared/events.js'
import { keySpace, type KeySpace } from '../shared/keys.js'
import { callPolicy, type CallPolicy } from '../shared/call-policy.js'
import { FRP_ACTIVITY_ARGUMENT, FRP_ACTIVITY_USER_ID } from '../shared/errors.js'
import { describe } from '../shared/options.js'
import { DAY_MS, dayNumber, dayOfFor, dayString, type Day, type DayOf } from './days.js'
import { normalizeActivityOptions, type ActivityOptions, type NormalizedActivityOptions } from './options.js'
import { scripts } from './scripts.js'

export type ActivityPeriod = 'day' | 'week' | 'month'

/** Days a period spans, ending on the day asked for (rolling windows: WAU = 7 days, MAU = 30). */
const PERIOD_DAYS: Readonly<Record<ActivityPeriod, number>> = { day: 1, week: 7, month: 30 }

export interface Streak {
  /**
   * Consecutive active days ending on the day asked for (default today), or ending the day before
   * when that day has no activity yet: a day that is not over does not break a streak.
   */
  current: number
  /** The longest run of consecutive active days within the retention. */
  longest: number
  /** The last day the user was active within the retention ('YYYY-MM-DD'), or null. */
  lastActive: string | null
}

export interface Retention {
  /** Users active on the first day. */
  cohort: number
  /** Of them, users also active on the second day. */
  retained: number
  /** retained / cohort (0 for an empty cohort). */
  rate: number
}

/** An Activity's events (emitted only while someone listens). */
export interface ActivityEvents {
  /** `userId` was marked active on `day`; `first`: the first mark of that user on that day. */
  marked: [userId: number, day: string, first: boolean]
}

/** How often a process re-sends a day key's expiry: a key deleted and re-created gets it back within this. */
const EXPIRY_EVERY = 60_000

type Bits = (...keysThenArgs: Array<string | number>) => Promise<string>

export class Activity extends TypedEmitter<ActivityEvents> {
  readonly options: Readonly<NormalizedActivityOptions>
  readonly #redis: RedisClient
  readonly #space: KeySpace
  readonly #policy: CallPolicy
  readonly #dayOf: DayOf
  /** Day keys by day number (a handful live at once). */
  readonly #keys = new Map<number, string>()
  /** When this process last set each day key's expiry (Date.now()), by key. */
  readonly #expirySent = new Map<string, number>()
  /** A day's key expires this long after the day starts (the day itself, the retention, and a day of slack for zones east of UTC). */
  readonly #keyLife: number
  readonly #bits: Bits

  constructor (redis: RedisClient, options: ActivityOptions = {}) {
    super()
    this.options = normalizeActivityOptions(options)
    this.#redis = redis
    this.#space = keySpace(this.options.prefix, 'activity')
    this.#policy = callPolicy(redis, this.options.commandTimeout)
    this.#dayOf = dayOfFor(this.options.timeZone)
    this.#keyLife = DAY_MS + this.options.retention + (this.options.timeZone === undefined ? 0 : DAY_MS)
    this.#bits = scripts.bind<string>(redis, 'bits')
    // Probes the tag once, so a bad name fails at construction rather than on first use.
    this.#space.key(this.options.name, 'probe')
  }

  /** The Redis key of `day`'s bitmap (default today). */
  redisKey (day?: Day): string {
    return this.#dayKey(this.#day(day, 'day'))
  }

  /** Today's date ('YYYY-MM-DD') in the core's time zone. */
  today (): string {
    return dayString(this.#dayOf(Date.now()))
  }

  /**
   * Marks `userId` active on `day` (default today): one SETBIT (plus, once a minute per day and
   * process, the day key's EXPIREAT). Resolves true when this was the user's first mark of the day.
   * A day older than the retention or after tomorrow is refused (FRP_ACTIVITY_ARGUMENT).
   */
  async mark (userId: number, day?: Day): Promise<boolean> {
    const offset = this.#offset(userId)
    // The hot path (no day: today) reads the clock once and needs no range check.
    const now = Date.now()
    const today = this.#dayOf(now)
    const n = day === undefined ? today : this.#day(day, 'day')
    if (n !== today && (n > today + 1 || n < today - this.options.retentionDays)) {
      throw new FRP_ACTIVITY_ARGUMENT('day', `${dayString(n)} is outside the days kept (${dayString(today - this.options.retentionDays)} to ${dayString(today + 1)})`)
    }
    const key = this.#dayKey(n)
    const set = this.#redis.setbit(key, offset, 1)
    this.#keepExpiry(key, n, now)
    let before: number
    try {
      before = await this.#policy.bound(set)
    } catch (err) {
      throw this.#policy.coded(err, { command: 'SETBIT' })
    }
    const first = before === 0
    if (this.listenerCount('marked') > 0) this.emit('marked', userId, dayString(n), first)
    return first
  }

  /** Was `userId` active on `day` (default today)? */
  async isActive (userId: number, day?: Day): Promise<boolean> {
    const offset = this.#offset(userId)
    const key = this.#dayKey(this.#day(day, 'day'))
    const bit = await this.#policy.bound(this.#redis.getbit(key, offset)).then(undefined, err => { throw this.#policy.coded(err, { command: 'GETBIT' }) })
    return bit === 1
  }

  /**
   * Users active on `day` ('day'), or on any of the 7 ('week') or 30 ('month') days ending on
   * `day` (default today). Weekly and monthly counts are a BITOP OR cached for `countCacheTtl`.
   */
  async count (period: ActivityPeriod, day?: Day): Promise<number> {
    const span = typeof period === 'string' && Object.hasOwn(PERIOD_DAYS, period) ? PERIOD_DAYS[period] : undefined
    if (span === undefined) throw new FRP_ACTIVITY_ARGUMENT('period', `must be 'day', 'week' or 'month', got ${describe(period)}`)
    const n = this.#day(day, 'day')
    if (span === 1) {
      return await this.#policy.bound(this.#redis.bitcount(this.#dayKey(n))).then(undefined, err => { throw this.#policy.coded(err, { command: 'BITCOUNT' }) })
    }
    const keys = [this.#space.key(this.options.name, 'union', period, dayString(n))]
    for (let i = 0; i < span; i++) keys.push(this.#dayKey(n - i))
    return await this.#policy.bound(scripts.run<number>(this.#redis, 'union-count', keys, [this.options.countCacheTtl]))
      .then(undefined, err => { throw this.#policy.coded(err, { script: 'activity.union-count' }) })
  }

  /**
   * `userId`'s current and longest streak of consecutive active days, within the retention,
   * counted back from `day` (default today). One script reading one bit per retained day.
   */
  async streak (userId: number, day?: Day): Promise<Streak> {
    const offset = this.#offset(userId)
    const n = this.#day(day, 'day')
    const days = this.options.retentionDays
    const keys: string[] = []
    for (let i = 0; i < days; i++) keys.push(this.#dayKey(n - i))
    const bits = await this.#policy.bound(this.#bits(days, ...keys, offset))
      .then(undefined, err => { throw this.#policy.coded(err, { script: 'activity.bits' }) })
    return streakOf(bits, n)
  }

  /** Of the users active on `first`, how many were active on `second` too (BITOP AND). */
  async retention (first: Day, second: Day): Promise<Retention> {
    // Both are required: an undefined one would otherwise mean today.
    if (first === undefined || second === undefined) throw new FRP_ACTIVITY_ARGUMENT(first === undefined ? 'first' : 'second', 'is required')
    const a = this.#day(first, 'first')
    const b = this.#day(second, 'second')
    const keys = [this.#dayKey(a), this.#dayKey(b), this.#space.key(this.options.name, 'scratch', 'retention')]
    const [cohort, retained] = await this.#policy.bound(scripts.run<[number, number]>(this.#redis, 'retention', keys, []))
      .then(undefined, err => { throw this.#policy.coded(err, { script: 'activity.retention' }) })
    return { cohort, retained, rate: cohort === 0 ? 0 : retained / cohort }
  }

  #offset (userId: unknown): number {
    if (typeof userId !== 'number' || !Number.isInteger(userId) || userId < 0 || userId > this.options.maxUserId) {
      throw new FRP_ACTIVITY_USER_ID(describe(userId), this.options.maxUserId)
    }
    return userId
  }

  #day (day: unknown, argument: string): number {
    return dayNumber(day, argument, this.#dayOf, Date.now)
  }

  #dayKey (n: number): string {
    let key = this.#keys.get(n)
    if (key === undefined) {
      if (this.#keys.size >= 512) this.#keys.clear()
      key = this.#space.key(this.options.name, dayString(n))
      this.#keys.set(n, key)
    }
    return key
  }

  /**
   * Sends the day key's EXPIREAT (absolute, so every process and every resend agree) with the
   * first mark of the day in this process, then again at most once a minute: the hot path is one
   * SETBIT, and a key deleted and re-created gets its expiry back within the minute. Sent in the
   * same tick as the SETBIT, so both share one write to the socket.
   */
  #keepExpiry (key: string, n: number, now: number): void {
    const last = this.#expirySent.get(key)
    if (last !== undefined && now - last < EXPIRY_EVERY) return
    if (this.#expirySent.size >= 64) this.#expirySent.clear()
    this.#expirySent.set(key, now)
    this.#redis.pexpireat(key, n * DAY_MS + this.#keyLife).catch(() => {
      // Not sent (Redis down): the next mark of the day tries again.
      this.#expirySent.delete(key)
    })
  }
}

/** The streak in `bits` ('1' = active), newest day (`n`) first. */
export function streakOf (bits: string, n: number): Streak {
  let current = 0
  // Today may not be over: a streak that reached yesterday still counts.
  const start = bits[0] === '1' ? 0 : 1
  while (start + current < bits.length && bits[start + current] === '1') current++
  let longest = 0
  let run = 0
  let lastActive: string | null = null
  for (let i = 0; i < bits.length; i++) {
    if (bits[i] === '1') {
      if (lastActive === null) lastActive = dayString(n - i)
      if (++run > longest) longest = run
    } else {
      run = 0
    }
  }
  return { current, longest, lastActive }
}

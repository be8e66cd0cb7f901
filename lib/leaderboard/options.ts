// Board options, validated and normalized once at construction. The tie-break bit budget is
// decided here: a stored score is (score - minScore) * M + tie, with M = 2^bits the number of
// time ticks, and (maxScore - minScore + 1) * M <= 2^53 so every stored value is an exact integer.
import { createCodec, type Codec } from '../shared/codec.js'
import { invalid, optBool, optDuration, optEnum, optFunction, optInt, optNumber, optString, rejectUnknown, type Duration } from '../shared/options.js'
import { normalizeDurability, type Durability, type DurabilityOptions } from '../shared/durability.js'
import { checkTimeZone, type PeriodUnit } from './periods.js'

export type Order = 'desc' | 'asc'
export type UpdatePolicy = 'replace' | 'best' | 'increment'
export type TieBreak = 'first' | 'none'

export interface LeaderboardOptions {
  /** 'desc' (default): higher scores rank first. 'asc': lower scores rank first (e.g. lap times). */
  order?: Order
  /** How submit() combines a new score with the stored one (default 'best'). */
  update?: UpdatePolicy
  /**
   * 'first': among equal scores, whoever reached the score first ranks higher (Redis server time);
   * scores must then be integers in [minScore, maxScore]. 'none' (default): equal scores are
   * ordered by member name, as Redis does.
   */
  tieBreak?: TieBreak
  /** Lowest accepted score. Default 0 with tieBreak 'first', else -Number.MAX_SAFE_INTEGER. */
  minScore?: number
  /** Highest accepted score. Default 4,194,303 (2^22 - 1) with tieBreak 'first', else Number.MAX_SAFE_INTEGER. */
  maxScore?: number
  /** Tie-break clock resolution, ms or a duration string (default 1000): submissions within one tick tie. */
  tieBreakResolution?: Duration
  /** Tie-break clock origin, ms since the Unix epoch (default 2025-01-01T00:00:00Z). */
  tieBreakEpoch?: number
  /** Periodic board: a new board every day, ISO week (Monday) or month, in `timeZone`. */
  period?: PeriodUnit
  /** IANA time zone of period boundaries (default 'UTC'). */
  timeZone?: string
  /** Periods retained, the current one included (default 2); older ones expire by TTL. */
  keep?: number
  /** Keep only the best N members (0 = unlimited, default). */
  maxMembers?: number
  /** Longest member id, in UTF-8 bytes (default 256). */
  maxMemberLength?: number
  /** Largest encoded member metadata, in bytes (default 4096). */
  maxMetadataBytes?: number
  /** Dense rank walks at most this many distinct better scores (default 10,000). */
  denseRankLimit?: number
  /** Bound on every Redis wait, ms or a duration string (default 1000). */
  commandTimeout?: Duration
  /** Key prefix (default 'frp'). */
  prefix?: string
  /** Clock for period boundaries (default Date.now); inject one in tests. */
  now?: () => number
  /**
   * Keep the player index (default false): every write also lists the board in the member's index,
   * so `PlayerIndex.view()` shows the member on every board and `erase()` removes it everywhere.
   */
  playerIndex?: boolean
  /**
   * Wait for this many replicas (`WAIT`) before a write (submit, submitMany, increment,
   * setMetadata, remove, reset, rollup) resolves; FRP_NOT_REPLICATED (503) when they do not
   * confirm within `timeout`. Off by default (see docs/failover.md for the window without it).
   */
  durability?: DurabilityOptions
}

export interface NormalizedLeaderboardOptions {
  order: Order
  update: UpdatePolicy
  tieBreak: TieBreak
  minScore: number
  maxScore: number
  /** Tie-break multiplier: 2^bits, or 1 without tie-breaking. */
  M: number
  tieBreakResolution: number
  tieBreakEpoch: number
  /** Last instant at which tie-breaking still tells submissions apart. */
  tieBreakHorizon: number
  period: PeriodUnit | null
  timeZone: string
  keep: number
  maxMembers: number
  maxMemberLength: number
  denseRankLimit: number
  commandTimeout: number
  prefix: string
  now: () => number
  codec: Codec
  playerIndex: boolean
  durability: Durability | undefined
}

const KNOWN = ['order', 'update', 'tieBreak', 'minScore', 'maxScore', 'tieBreakResolution', 'tieBreakEpoch',
  'period', 'timeZone', 'keep', 'maxMembers', 'maxMemberLength', 'maxMetadataBytes', 'denseRankLimit',
  'commandTimeout', 'prefix', 'now', 'playerIndex', 'durability'] as const

const TWO_53 = 2 ** 53
const DEFAULT_EPOCH = Date.UTC(2025, 0, 1)
const YEAR = 365 * 86_400_000

export function normalizeLeaderboardOptions (opts: LeaderboardOptions = {}, where = 'leaderboard'): NormalizedLeaderboardOptions {
  rejectUnknown(where, opts, KNOWN)
  const o = opts as Record<string, unknown>
  const tieBreak = optEnum(`${where}.tieBreak`, o.tieBreak, ['first', 'none'] as const, 'none')
  const first = tieBreak === 'first'
  const limit = Number.MAX_SAFE_INTEGER
  const minScore = first
    ? optInt(`${where}.minScore`, o.minScore, 0, -limit, limit)
    : optNumber(`${where}.minScore`, o.minScore, -limit, -limit, limit)
  const maxScore = first
    ? optInt(`${where}.maxScore`, o.maxScore, 2 ** 22 - 1, -limit, limit)
    : optNumber(`${where}.maxScore`, o.maxScore, limit, -limit, limit)
  if (maxScore < minScore) throw invalid(`${where}.maxScore`, `must not be below minScore (${minScore})`)
  const tieBreakResolution = optDuration(`${where}.tieBreakResolution`, o.tieBreakResolution, 1000, 1)
  const tieBreakEpoch = optInt(`${where}.tieBreakEpoch`, o.tieBreakEpoch, DEFAULT_EPOCH, 0)
  const now = optFunction<() => number>(`${where}.now`, o.now, Date.now)

  let M = 1
  let tieBreakHorizon = Infinity
  if (first) {
    const range = maxScore - minScore + 1
    const bits = Math.floor(Math.log2(TWO_53 / range))
    if (bits < 1) throw invalid(`${where}.maxScore`, 'tieBreak \'first\' leaves no bits for time: narrow [minScore, maxScore]')
    M = 2 ** bits
    // (range * M) must not exceed 2^53; log2 rounding can overshoot by one bit.
    if (range * M > TWO_53) M /= 2
    tieBreakHorizon = tieBreakEpoch + M * tieBreakResolution
    if (tieBreakHorizon < now() + YEAR) {
      throw invalid(`${where}.tieBreakResolution`, `with scores in [${minScore}, ${maxScore}] tie-breaking ends at ` +
        `${new Date(Math.min(tieBreakHorizon, 8.64e15)).toISOString()}; use a coarser resolution, a later epoch or a narrower score range`)
    }
  }

  const period = o.period === undefined ? null : optEnum(`${where}.period`, o.period, ['day', 'week', 'month'] as const, 'day')
  const timeZone = optString(`${where}.timeZone`, o.timeZone, 'UTC')
  try {
    checkTimeZone(timeZone)
  } catch {
    throw invalid(`${where}.timeZone`, `unknown time zone ${JSON.stringify(timeZone)}`)
  }
  const maxMetadataBytes = optInt(`${where}.maxMetadataBytes`, o.maxMetadataBytes, 4096, 1, 1024 * 1024)
  return {
    order: optEnum(`${where}.order`, o.order, ['desc', 'asc'] as const, 'desc'),
    update: optEnum(`${where}.update`, o.update, ['replace', 'best', 'increment'] as const, 'best'),
    tieBreak,
    minScore,
    maxScore,
    M,
    tieBreakResolution,
    tieBreakEpoch,
    tieBreakHorizon,
    period,
    timeZone,
    keep: optInt(`${where}.keep`, o.keep, 2, 1, 1000),
    maxMembers: optInt(`${where}.maxMembers`, o.maxMembers, 0, 0),
    maxMemberLength: optInt(`${where}.maxMemberLength`, o.maxMemberLength, 256, 1, 64 * 1024),
    denseRankLimit: optInt(`${where}.denseRankLimit`, o.denseRankLimit, 10_000, 1),
    commandTimeout: optDuration(`${where}.commandTimeout`, o.commandTimeout, 1000, 1),
    prefix: optString(`${where}.prefix`, o.prefix, 'frp'),
    now,
    codec: createCodec({ maxBytes: maxMetadataBytes, compressThreshold: false }),
    playerIndex: optBool(`${where}.playerIndex`, o.playerIndex, false),
    durability: normalizeDurability(`${where}.durability`, o.durability)
  }
}

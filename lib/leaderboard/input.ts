// Input checks of the hot path: member ids, scores and metadata are validated before anything is
// sent to Redis, so bad input is a coded 400 error and nothing is written.
import {
  FRP_LEADERBOARD_ARGUMENT, FRP_LEADERBOARD_MEMBER, FRP_LEADERBOARD_METADATA, FRP_LEADERBOARD_SCORE_RANGE
} from '../shared/errors.js'
import { describe, toMs } from '../shared/options.js'
import type { NormalizedLeaderboardOptions } from './options.js'

export function checkMember (member: unknown, cfg: NormalizedLeaderboardOptions): string {
  if (typeof member !== 'string') throw new FRP_LEADERBOARD_MEMBER(`must be a string, got ${describe(member)}`)
  if (member.length === 0) throw new FRP_LEADERBOARD_MEMBER('must not be empty')
  // A UTF-16 unit is at most 3 UTF-8 bytes: short ids skip the exact count.
  if (member.length * 3 > cfg.maxMemberLength && Buffer.byteLength(member) > cfg.maxMemberLength) {
    throw new FRP_LEADERBOARD_MEMBER(`longer than ${cfg.maxMemberLength} bytes`)
  }
  return member
}

export function rangeText (cfg: NormalizedLeaderboardOptions): string {
  return `[${cfg.minScore}, ${cfg.maxScore}]${cfg.M > 1 ? ' (integers: tieBreak \'first\')' : ''}`
}

/** A score to store: finite, inside [minScore, maxScore], an integer with tie-breaking. */
export function checkScore (score: unknown, cfg: NormalizedLeaderboardOptions): number {
  if (typeof score !== 'number' || !Number.isFinite(score) || score < cfg.minScore || score > cfg.maxScore ||
    (cfg.M > 1 && !Number.isInteger(score))) {
    throw new FRP_LEADERBOARD_SCORE_RANGE(describe(score), rangeText(cfg))
  }
  return score
}

/** An increment: finite, an integer with tie-breaking; the script checks the resulting score. */
export function checkIncrement (by: unknown, cfg: NormalizedLeaderboardOptions): number {
  if (typeof by !== 'number' || !Number.isFinite(by) || Math.abs(by) > cfg.maxScore - cfg.minScore ||
    (cfg.M > 1 && !Number.isInteger(by))) {
    throw new FRP_LEADERBOARD_SCORE_RANGE(`increment ${describe(by)}`, rangeText(cfg))
  }
  return by
}

export function encodeMetadata (value: unknown, cfg: NormalizedLeaderboardOptions): string {
  if (value === undefined) return ''
  try {
    return cfg.codec.encode(value)
  } catch (err) {
    throw new FRP_LEADERBOARD_METADATA((err as Error).message)
  }
}

/** A duration argument (ms or a string like '1h') of at least `min` ms, else FRP_LEADERBOARD_ARGUMENT naming it. */
export function checkDuration (name: string, value: unknown, min: number): number {
  return toMs(value, min, Number.MAX_SAFE_INTEGER, why => new FRP_LEADERBOARD_ARGUMENT(name, why))
}

export function checkInt (name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new FRP_LEADERBOARD_ARGUMENT(name, `must be an integer between ${min} and ${max}, got ${describe(value)}`)
  }
  return value
}

/**
 * The stored-score bounds of the user scores [min, max] (each a number or ±Infinity), as Redis
 * range arguments; null when no stored score can fall inside. With tie-breaking a user score s is
 * stored anywhere in [(s - minScore) * M, (s - minScore) * M + M - 1].
 */
export function storedBounds (min: unknown, max: unknown, cfg: NormalizedLeaderboardOptions): [string, string] | null {
  for (const [name, v] of [['min', min], ['max', max]] as const) {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new FRP_LEADERBOARD_ARGUMENT(name, `must be a number or ±Infinity, got ${describe(v)}`)
  }
  const lo = min as number
  const hi = max as number
  if (hi < lo) throw new FRP_LEADERBOARD_ARGUMENT('max', `must not be below min (${lo})`)
  if (cfg.M === 1) return [lo === -Infinity ? '-inf' : String(lo), hi === Infinity ? '+inf' : String(hi)]
  const first = Math.ceil(lo)
  const last = Math.floor(hi)
  if (first > last || last < cfg.minScore || first > cfg.maxScore) return null
  return [
    first <= cfg.minScore ? '-inf' : String((first - cfg.minScore) * cfg.M),
    last >= cfg.maxScore ? '+inf' : String((last - cfg.minScore) * cfg.M + cfg.M - 1)
  ]
}

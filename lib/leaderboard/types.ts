// What a Leaderboard's calls return, and its events.
import type { Duration } from '../shared/options.js'

export type RankStyle = 'ordinal' | 'competition' | 'dense'

export interface Entry {
  member: string
  score: number
  /** 1-based ordinal rank (position on the board). */
  rank: number
  /** Present when metadata was asked for: the member's metadata, or null. */
  meta?: unknown
}

export interface SubmitResult {
  member: string
  /** The member's score after the call (with update 'best', possibly the older, better one). */
  score: number
  /** False when the stored score stayed as it was. */
  changed: boolean
}

export interface MemberInfo {
  member: string
  score: number
  /** 1-based ordinal rank. */
  rank: number
  /** 1 + members with a strictly better score ("1224" ranking). */
  competitionRank: number
  /** 1 + distinct better scores ("1223" ranking); present when asked for. */
  denseRank?: number
  /** Percentile rank: 100 * (members below + half the members tied, itself included) / size. */
  percentile: number
  /** Board size. */
  count: number
  /** With tieBreak 'first': when (Redis time, ms) the member reached this score, at tick resolution. */
  reachedAt?: number
  meta?: unknown
}

export interface Page {
  entries: Entry[]
  /** Cursor of the next page, or null after the last one. */
  next: string | null
}

export interface RollupOptions {
  /** How many periods, the current one included (default: `keep`). */
  periods?: number
  /** 'sum' (default) adds the scores; 'best' keeps each member's best score. */
  aggregate?: 'sum' | 'best'
  /** TTL of the roll-up, ms or a duration string (default: none). */
  ttl?: Duration
}

/** The read operations the 'read' event names (a bounded set, fit for a metric label). */
export type LeaderboardReadOp = 'score' | 'rank' | 'percentile' | 'info' | 'top' | 'page' | 'around' | 'count' | 'rangeByScore'

/** A Leaderboard's events (emitted only while someone listens). */
export interface LeaderboardEvents {
  /** A score was submitted or incremented (once per member of submitMany); `board`: the board's name. */
  submit: [result: SubmitResult, board: string]
  /** A read was asked (score, rank, percentile, info, top, page, around, count, rangeByScore); `board`: the board's name. */
  read: [board: string, op: LeaderboardReadOp]
  /** A Redis call failed or timed out: the coded error the caller gets too. */
  error: [err: Error]
}

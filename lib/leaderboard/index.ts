// The leaderboard pattern's public surface.
export { Leaderboard } from './leaderboard.js'
export { PlayerIndex, type PlayerIndexOptions, type PlayerStanding } from './player-index.js'
export type { Entry, SubmitResult, MemberInfo, Page, RollupOptions, RankStyle, LeaderboardEvents, LeaderboardReadOp } from './types.js'
export { normalizeLeaderboardOptions, type LeaderboardOptions, type NormalizedLeaderboardOptions, type Order, type UpdatePolicy, type TieBreak } from './options.js'
export type { PeriodUnit } from './periods.js'
export type { Duration } from '../shared/options.js'

// Decoding what Redis returns into what the board's API promises: stored scores back to the
// submitted ones (tie-broken scores carry a time component), ranked entries, and metadata.
import type { NormalizedLeaderboardOptions } from './options.js'
import type { Entry } from './types.js'

/** The submitted score of a stored one: tie-broken scores are (score - minScore) * M + tie. */
export function decodeScore (cfg: NormalizedLeaderboardOptions, stored: string | number): number {
  const raw = Number(stored)
  return cfg.M > 1 ? Math.floor(raw / cfg.M) + cfg.minScore : raw
}

/** Metadata as stored by the codec; absent, or corrupt, reads as null rather than failing the read. */
export function decodeMeta (cfg: NormalizedLeaderboardOptions, raw: string | null | false | undefined): unknown {
  if (raw === null || raw === false || raw === undefined) return null
  try {
    return cfg.codec.decode(raw)
  } catch {
    return null
  }
}

/** Entries from a WITHSCORES reply (member, score, member, score, …) whose first item has rank firstRank + 1. */
export function toEntries (cfg: NormalizedLeaderboardOptions, items: string[], firstRank: number, metas?: Array<string | null | false>): Entry[] {
  const out: Entry[] = []
  for (let i = 0, r = firstRank + 1; i < items.length; i += 2, r++) {
    const e: Entry = { member: items[i], score: decodeScore(cfg, items[i + 1]), rank: r }
    if (metas !== undefined) e.meta = decodeMeta(cfg, metas[i >> 1])
    out.push(e)
  }
  return out
}

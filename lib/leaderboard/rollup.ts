// Storing a roll-up: several period boards merged into one sorted set that replaces the previous
// roll-up in one step, so a reader sees the old roll-up or the new one, never a partial sum.
import type { Redis } from 'ioredis'
import { FRP_LEADERBOARD_SCORE_RANGE } from '../shared/errors.js'
import type { NormalizedLeaderboardOptions } from './options.js'
import { rangeText } from './input.js'

export interface RollupWrite {
  /** The board's client, typed for direct commands (Redis and Cluster share them). */
  redis: Redis
  cfg: NormalizedLeaderboardOptions
  /** The period boards to merge, newest first; all share the board's hash tag. */
  sources: readonly string[]
  /** The roll-up's key. */
  dest: string
  /** A scratch key under the same hash tag, used only when tie-broken scores must be summed. */
  tmp: string
  aggregate: 'sum' | 'best'
  /** The roll-up's TTL in ms; 0 keeps it until the next roll-up. */
  ttl: number
  /** The board's call policy: bounds a wait and turns a failure into a coded error. */
  call: <T>(p: Promise<T>) => Promise<T>
  /** `call` for the write that stores the roll-up: waits for the replicas with the `durability` option. */
  write: <T>(p: Promise<T>) => Promise<T>
  /** Adds the decoded scores of `src` into `tmp` (the rollup-add script); [n, member] names a sum out of range. */
  addDecoded: (tmp: string, src: string) => Promise<number | [number, string]>
}

export async function storeRollup (w: RollupWrite): Promise<void> {
  const { redis, cfg, sources, dest, ttl, call, write } = w
  if (cfg.M === 1 || w.aggregate === 'best') {
    // Scores carry no tie-break: Redis merges them as they are, in one command.
    const how = w.aggregate === 'sum' ? 'SUM' : cfg.order === 'desc' ? 'MAX' : 'MIN'
    const tx = redis.multi().zunionstore(dest, sources.length, ...sources, 'AGGREGATE', how as 'SUM')
    if (ttl > 0) tx.pexpire(dest, ttl)
    await write(tx.exec())
    return
  }
  // Sums of tie-broken scores are built from decoded scores in the scratch key, then renamed over
  // the roll-up.
  try {
    for (const src of sources) {
      const r = await call(w.addDecoded(w.tmp, src))
      if (Array.isArray(r)) throw new FRP_LEADERBOARD_SCORE_RANGE(`sum for "${r[1]}"`, rangeText(cfg))
      await call(redis.pexpire(w.tmp, 60_000)) // a crashed roll-up leaves no garbage behind
    }
    const tx = redis.multi()
    if (await call(redis.exists(w.tmp)) === 1) {
      tx.rename(w.tmp, dest)
      if (ttl > 0) tx.pexpire(dest, ttl)
      else tx.persist(dest)
    } else {
      tx.del(dest)
    }
    await write(tx.exec())
  } finally {
    await call(redis.del(w.tmp)).catch(() => {})
  }
}

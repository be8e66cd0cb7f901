// Leaderboard members at scale: one board of N members. Ours (keep-best, default tie order; with
// tieBreak 'first'; with 40-byte metadata per member) vs raw sorted-set commands (the anchor) and
// redis-rank 2.
import { Redis } from 'ioredis'
import { Leaderboard as RedisRank } from 'redis-rank'
import { Leaderboard } from '../../../dist/lib/leaderboard/leaderboard.js'
import { clientOptions, TIMEOUT } from '../client.js'
import { pooled } from '../fill.js'

const CHUNK = 1000
const member = i => `player:${i}`
const score = i => (i * 7919) % 1_000_000
const meta = i => ({ name: `Player ${i}`, country: 'GB', level: i % 50 })

/** Chunks [from, to) into CHUNK-sized slices, `inFlight` chunk writes at once. */
const chunks = (from, to, write) => pooled(0, Math.ceil((to - from) / CHUNK), 4, c => {
  const lo = from + c * CHUNK
  return write(Array.from({ length: Math.min(CHUNK, to - lo) }, (_, j) => lo + j))
})

let submitSeq = 0
const nextScore = () => { submitSeq = (submitSeq + 104_729) % 1_000_000; return submitSeq }

function ours (name, options, withMeta) {
  return {
    name,
    how: `ours through Leaderboard.submitMany, ${CHUNK.toLocaleString('en-US')} members a call`,
    perEntity: /$^/,
    async open (redisUrl) {
      const redis = new Redis(redisUrl, clientOptions())
      const board = new Leaderboard(redis, 'scale', { prefix: 'scale', commandTimeout: TIMEOUT, ...options })
      return {
        fill: (from, to) => chunks(from, to, ids => board.submitMany(ids.map(i => ({ member: member(i), score: score(i), meta: withMeta ? meta(i) : undefined })))),
        ops: {
          submit: i => board.submit(member(i), nextScore(), withMeta ? { meta: meta(i) } : undefined),
          'top(10)': () => board.top(10, 0, withMeta ? { meta: true } : undefined),
          rank: i => board.rank(member(i)),
          'around(5)': i => board.around(member(i), 5, withMeta ? { meta: true } : undefined)
        },
        close: () => redis.quit()
      }
    }
  }
}

const raw = {
  name: 'raw sorted set (ZADD, ZREVRANGE 0 9, ZREVRANK)',
  anchor: true,
  how: 'the raw set by ZADD of 1,000 members a call',
  perEntity: /$^/,
  async open (redisUrl) {
    const redis = new Redis(redisUrl, clientOptions())
    return {
      fill: (from, to) => chunks(from, to, ids => redis.zadd('raw', ...ids.flatMap(i => [score(i), member(i)]))),
      ops: {
        submit: i => redis.zadd('raw', 'GT', nextScore(), member(i)),
        'top(10)': () => redis.zrevrange('raw', 0, 9, 'WITHSCORES'),
        rank: i => redis.zrevrank('raw', member(i)),
        // Two round trips by hand: the rank, then the window around it.
        'around(5)': async i => {
          const r = await redis.zrevrank('raw', member(i))
          return await redis.zrevrange('raw', Math.max(0, r - 5), r + 5, 'WITHSCORES')
        }
      },
      close: () => redis.quit()
    }
  }
}

const redisRank = {
  name: 'redis-rank 2 (keep-best)',
  how: 'redis-rank through Leaderboard.update, 1,000 entries a call',
  perEntity: /$^/,
  async open (redisUrl) {
    const redis = new Redis(redisUrl, clientOptions())
    const board = new RedisRank(redis, 'rr', { sortPolicy: 'high-to-low', updatePolicy: 'best' })
    return {
      fill: (from, to) => chunks(from, to, ids => board.update(ids.map(i => ({ id: member(i), value: score(i) })))),
      ops: {
        submit: i => board.updateOne(member(i), nextScore()),
        'top(10)': () => board.top(10),
        rank: i => board.rank(member(i)),
        'around(5)': i => board.around(member(i), 5)
      },
      close: () => redis.quit()
    }
  }
}

export const title = 'Leaderboard members (one board)'
export const contenders = [
  raw,
  redisRank,
  ours('ours (keep-best)', {}, false),
  ours("ours (keep-best, tieBreak 'first')", { tieBreak: 'first' }, false),
  ours('ours (keep-best, metadata ~40 B)', {}, true)
]

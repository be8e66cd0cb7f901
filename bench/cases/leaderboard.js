// Case "leaderboard": submit and top(10) ops/s, ours vs redis-rank vs raw ioredis, same run, same
// Redis, same client (ioredis 6 with the recommended options: auto-pipelining on), 50 concurrent
// callers, a board of 10,000 members.
import { Redis } from 'ioredis'
import { Leaderboard as RedisRank } from 'redis-rank'
import { Leaderboard } from '../../dist/lib/leaderboard/leaderboard.js'
import { recommendedRedisOptions } from '../../dist/lib/shared/connection.js'
import { compare, opsPerSec, table } from '../lib/harness.js'

const MEMBERS = 10_000
const member = (i) => `player:${i % MEMBERS}`

export default async function leaderboard ({ redisUrl }) {
  const redis = new Redis(redisUrl, recommendedRedisOptions())
  try {
    await redis.flushall()
    const rrBest = new RedisRank(redis, 'rr:best', { sortPolicy: 'high-to-low', updatePolicy: 'best' })
    const rrReplace = new RedisRank(redis, 'rr:replace', { sortPolicy: 'high-to-low', updatePolicy: 'replace' })
    const best = new Leaderboard(redis, 'best', { update: 'best' })
    const replace = new Leaderboard(redis, 'replace', { update: 'replace' })
    const first = new Leaderboard(redis, 'first', { update: 'best', tieBreak: 'first' })
    const seed = Array.from({ length: MEMBERS }, (_, i) => ({ member: member(i), score: (i * 7919) % 1_000_000 }))
    for (let i = 0; i < MEMBERS; i += 1000) {
      const chunk = seed.slice(i, i + 1000)
      await best.submitMany(chunk)
      await first.submitMany(chunk.map(e => ({ ...e, score: e.score % 4_000_000 })))
      await rrBest.update(chunk.map(e => ({ id: e.member, value: e.score })))
      await redis.zadd('raw', ...chunk.flatMap(e => [e.score, e.member]))
    }

    let n = 0
    const next = () => { n = (n + 7919) % 1_000_003; return n }
    const submit = await compare('submit (one member, random score)', 'ops/s', [
      { name: 'raw ioredis ZADD', run: () => opsPerSec(() => { const k = next(); return redis.zadd('raw', k, member(k)) }) },
      { name: 'redis-rank update best', run: () => opsPerSec(() => { const k = next(); return rrBest.updateOne(member(k), k) }) },
      { name: 'redis-rank update replace', run: () => opsPerSec(() => { const k = next(); return rrReplace.updateOne(member(k), k) }) },
      { name: 'ours submit best', run: () => opsPerSec(() => { const k = next(); return best.submit(member(k), k) }) },
      { name: 'ours submit replace', run: () => opsPerSec(() => { const k = next(); return replace.submit(member(k), k) }) },
      { name: 'ours submit best, tieBreak first', run: () => opsPerSec(() => { const k = next(); return first.submit(member(k), k) }) }
    ])
    const top = await compare('top(10)', 'ops/s', [
      { name: 'raw ioredis ZREVRANGE WITHSCORES', run: () => opsPerSec(() => redis.zrevrange('raw', 0, 9, 'WITHSCORES')) },
      { name: 'redis-rank top(10)', run: () => opsPerSec(() => rrBest.top(10)) },
      { name: 'ours top(10)', run: () => opsPerSec(() => best.top(10)) },
      { name: 'ours top(10), tieBreak first', run: () => opsPerSec(() => first.top(10)) }
    ])
    const lines = [
      table(submit, 'raw ioredis ZADD'),
      table(submit, 'redis-rank update best'),
      table(top, 'raw ioredis ZREVRANGE WITHSCORES'),
      table(top, 'redis-rank top(10)')
    ]
    return lines
  } finally {
    redis.disconnect()
  }
}

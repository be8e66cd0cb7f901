// Case "activity" (issue 20: mark ≥ 0.9x a hand-written SETBIT): Activity#mark(userId), which is
// one SETBIT plus the date and key lookup (its expiry is sent once a minute per day key), against
// a raw SETBIT on the same key shape; 50 concurrent loops on the same Redis, random user ids up
// to 1,000,000.
import { Redis } from 'ioredis'
import { Activity } from '../../dist/lib/activity/activity.js'
import { compare, opsPerSec, table, DURATION } from '../lib/harness.js'

const MAX_ID = 1_000_000

export default async function activity ({ redisUrl }) {
  // Same client and options for both (as recommendedRedisOptions() sets).
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, commandTimeout: 1000 })
  const act = new Activity(redis, { prefix: 'bench', maxUserId: MAX_ID })
  const rawKey = 'raw:activity:{active}:day'
  const id = () => Math.floor(Math.random() * MAX_ID)
  try {
    const result = await compare('mark a user active today, 50 loops', 'marks/s', [
      { name: 'Activity#mark', run: () => opsPerSec(() => act.mark(id())) },
      { name: 'raw SETBIT', run: () => opsPerSec(() => redis.setbit(rawKey, id(), 1)) }
    ])
    return [
      table(result, 'raw SETBIT'),
      `50 concurrent loops for ${DURATION} s per run, one ioredis 6 client (auto-pipelining on, commandTimeout 1000), ` +
      `random ids up to ${MAX_ID.toLocaleString('en-US')} on one day key each.`
    ]
  } finally {
    redis.disconnect()
  }
}

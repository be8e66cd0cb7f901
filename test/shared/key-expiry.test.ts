// Issue 22 (cost at scale: "expiry of everything transient"): after a workload over every call of
// the cache, lock, leaderboard, one-time code and activity cores, each key Redis holds either
// carries a TTL or belongs to a family documented as kept until deleted (a board of all time, its
// metadata, the player index). A new key family without an expiry fails here until it is given
// one or added to KEPT with the reason. Sessions, queues and rate limits pin theirs in their own
// suites (test/session, test/queue, test/rate-limit).
import { test } from 'tap'
import { Cache } from '../../lib/cache/cache.js'
import { Locker } from '../../lib/lock/locker.js'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { PlayerIndex } from '../../lib/leaderboard/player-index.js'
import { OneTimeCodes } from '../../lib/otp/one-time-codes.js'
import { Activity } from '../../lib/activity/activity.js'
import { scanKeys } from '../../lib/shared/connection.js'
import { startRedis } from '../helpers/redis.js'

/** Families kept until deleted, by design (docs/<pattern>.md says so), with why. */
const KEPT: Array<[RegExp, string]> = [
  [/^kx:leaderboard:\{alltime\}:all$/, 'a board without periods is the data itself (remove() and erase() delete members)'],
  [/^kx:leaderboard-player:\{[^}]+\}$/, 'the player index lives as long as the boards it indexes (erase() deletes a member from it)']
]

test('every key of the cache, lock, leaderboard, OTP and activity cores expires, or is a documented kept family', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const prefix = 'kx'

  const cache = new Cache(client, { prefix, ttl: 60_000 })
  t.teardown(() => cache.close())
  await cache.set('a', { v: 1 }, { tags: ['t1'] })
  await cache.wrap('b', async () => 2, { tags: ['t2'], staleWhileRevalidate: 30_000, staleIfError: 60_000 })
  await cache.get('a')
  await cache.getMany(['a', 'b', 'missing'])
  await cache.writeThrough('c', async () => 3)
  await cache.invalidate('c')
  await cache.invalidateTags(['t1'])
  const buffer = cache.writeBehind<number>('wb', { flush: async () => {}, interval: 50 })
  await buffer.write('w1', 1)
  await buffer.flush()

  const locker = new Locker(client, { prefix })
  t.teardown(() => locker.close())
  const lease = await locker.acquire('job')
  await lease.extend(10_000)
  await lease.release()
  const held = await locker.acquire('held')

  const players = new PlayerIndex(client, { prefix })
  const allTime = new Leaderboard(client, 'alltime', { prefix, playerIndex: true })
  const weekly = new Leaderboard(client, 'weekly', { prefix, period: 'week', keep: 2, playerIndex: true })
  for (const [m, s] of [['ada', 10], ['bob', 20]] as const) {
    await allTime.submit(m, s)
    await weekly.submit(m, s)
  }
  await allTime.top(10)
  await weekly.around('ada', 2)
  await players.view('ada')

  const otp = new OneTimeCodes(client, { prefix, secret: 'a-secret-of-at-least-thirty-two-bytes!' })
  const { code } = await otp.issue('ada@example.com')
  await otp.issue('bob@example.com')
  await otp.verify('bob@example.com', code === '000000' ? '111111' : '000000')
  await otp.verify('ada@example.com', code)

  const activity = new Activity(client, { prefix, maxUserId: 1000 })
  await activity.mark(1)
  await activity.mark(2, activity.today())
  await activity.count('week')
  await activity.count('month')
  await activity.streak(1)
  await activity.retention(activity.today(), activity.today())

  // A tag key outlives its entries by design: it may not expire before them.
  for (const tag of ['t1', 't2']) {
    const [tagTtl, entryTtl] = [await client.pttl(`${prefix}:cache-tag:{${tag}}`), await client.pttl(`${prefix}:cache:{${tag === 't1' ? 'a' : 'b'}}`)]
    t.ok(entryTtl > 0 && tagTtl >= entryTtl, `tag ${tag} expires after its entry (${tagTtl} ≥ ${entryTtl} ms)`)
  }
  await held.release()

  const keys: string[] = []
  for await (const batch of scanKeys(client, `${prefix}:*`)) keys.push(...batch)
  keys.sort()
  t.ok(keys.length >= 10, `the workload left keys (${keys.length})`)
  const persistent: string[] = []
  for (const key of keys) {
    const pttl = await client.pttl(key)
    if (pttl > 0) continue
    const kept = KEPT.find(([re]) => re.test(key))
    if (kept === undefined) persistent.push(`${key} (${await client.type(key)})`)
  }
  t.strictSame(persistent, [], 'no key without an expiry outside the kept families')
})

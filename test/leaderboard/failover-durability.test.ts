// A leaderboard through a master SIGKILL on a real Sentinel deployment (issue 19): with the
// `durability` option every score confirmed to the caller is on the promoted master.
import tap, { test } from 'tap'
import { startSentinel } from '../helpers/replicated.js'
import { eventually } from '../helpers/redis.js'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'

tap.setTimeout(300_000)

test('every score confirmed with durability survives a master SIGKILL', async t => {
  const sentinel = await startSentinel(t)
  const redis = sentinel.client()
  const board = new Leaderboard(redis, 'failover', { prefix: 'fd', update: 'replace', commandTimeout: 2000, durability: { replicas: 1, timeout: 1000 } })
  const confirmed = new Map<string, number>()
  const errors: Record<string, number> = {}
  const okTimes: number[] = []
  const run = { stop: false }
  let killAt = 0
  const writers = Array.from({ length: 10 }, async (_, w) => {
    for (let n = 1; !run.stop; n++) {
      // Each writer's members are rewritten in turn with rising scores: a lost write shows as an
      // older (lower) score. A higher one is a write that failed (not confirmed) yet was kept.
      const member = `m${w}-${n % 20}`
      try {
        await board.submit(member, n)
        confirmed.set(member, n)
        okTimes.push(performance.now())
      } catch (err) {
        const code = String((err as { code?: string }).code)
        errors[code] = (errors[code] ?? 0) + 1
        await new Promise(resolve => setTimeout(resolve, 20))
      }
    }
  })
  await eventually(() => okTimes.length >= 500, { ms: 30_000, what: '500 scores written' })
  killAt = performance.now()
  await sentinel.killMaster()
  const before = okTimes.length
  await eventually(() => okTimes.length >= before + 200, { ms: 60_000, what: 'writes confirmed again after the promotion' })
  run.stop = true
  await Promise.all(writers)

  const lost: string[] = []
  for (const [member, score] of confirmed) if ((await board.score(member) ?? -1) < score) lost.push(member)
  t.same(lost, [], `the last confirmed score of all ${confirmed.size} members is on the promoted master`)
  let outage = 0
  for (let i = 1; i < okTimes.length; i++) if (okTimes[i] > killAt) outage = Math.max(outage, okTimes[i] - Math.max(okTimes[i - 1], killAt))
  t.comment(`leaderboard, Sentinel, master SIGKILL, durability { replicas: 1, timeout: 1000 }: ${okTimes.length} submits confirmed, last scores lost ${lost.length}; ` +
    `errors ${JSON.stringify(errors)}; longest gap between confirmed writes after the kill ${outage.toFixed(0)} ms`)
})

// Leaderboard's typed events: 'submit' once per member written (every submit path), 'error' with
// the coded error the caller gets when Redis fails.
import { test } from 'tap'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import type { SubmitResult } from '../../lib/leaderboard/types.js'
import { startRedis } from '../helpers/redis.js'
import { boardName } from '../helpers/leaderboard.js'

test('submit fires for every path: replace, keep-best, the general script, submitMany and increment', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const boards = {
    replace: new Leaderboard(client, boardName('ev-replace'), { update: 'replace' }),
    best: new Leaderboard(client, boardName('ev-best')),
    general: new Leaderboard(client, boardName('ev-general'), { tieBreak: 'first' })
  }
  for (const [what, b] of Object.entries(boards)) {
    const seen: Array<[SubmitResult, string]> = []
    b.on('submit', (result, board) => { seen.push([result, board]) })
    await b.submit('a', 10)
    await b.submit('a', 5)
    await b.submitMany([{ member: 'b', score: 1 }, { member: 'c', score: 2 }])
    await b.increment('a', 1)
    t.strictSame(seen.map(([r]) => r.member), ['a', 'a', 'b', 'c', 'a'], `${what}: one event per member written`)
    t.ok(seen.every(([, board]) => board === b.name), `${what}: the board's name`)
    t.match(seen[1][0], what === 'replace' ? { score: 5, changed: true } : { score: 10, changed: false }, `${what}: the result as returned`)
  }
  // @ts-expect-error 'submitted' is not an event of Leaderboard
  boards.best.on('submitted', () => {})
})

test('error: a paused Redis fails reads and writes with FRP_REDIS_TIMEOUT, and the listener gets each', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ commandTimeout: undefined })
  const b = new Leaderboard(client, boardName('ev-error'), { commandTimeout: 100 })
  await new Leaderboard(client, b.name, { commandTimeout: 10_000 }).submit('a', 1)
  const errors: Error[] = []
  const submits: SubmitResult[] = []
  b.on('error', err => { errors.push(err) })
  b.on('submit', r => { submits.push(r) })
  await redis.pause(3000) // far longer than the 100 ms bound
  const results = await Promise.allSettled([b.submit('b', 2), b.top(3)])
  t.equal(errors.length, 2)
  for (const [i, r] of results.entries()) {
    t.equal(r.status, 'rejected')
    t.match((r as PromiseRejectedResult).reason, { code: 'FRP_REDIS_TIMEOUT', statusCode: 503 })
    t.ok(errors.includes((r as PromiseRejectedResult).reason), `call ${i}: the listener got the caller's error`)
  }
  t.equal(submits.length, 0, 'no submit event for a failed write')
})

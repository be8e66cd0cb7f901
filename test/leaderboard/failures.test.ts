import { test } from 'tap'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { eventually, startRedis } from '../helpers/redis.js'
import { boardName } from '../helpers/leaderboard.js'

test('calls during a CLIENT PAUSE fail with FRP_REDIS_TIMEOUT within the bound; later calls succeed', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ commandTimeout: 30_000 })
  const b = new Leaderboard(client, boardName('paused'), { commandTimeout: 80 })
  // Set up with a generous bound (connecting and loading scripts may be slow on a busy machine).
  const relaxed = new Leaderboard(client, b.name, { commandTimeout: 10_000 })
  await relaxed.submit('a', 1)
  await redis.pause(3000) // far longer than the 80 ms bound, even if this machine is slow to send
  const results = await Promise.allSettled([b.submit('b', 2), b.top(3), b.info('a'), b.around('a', 1), b.count(), b.increment('a', 1)])
  for (const r of results) {
    t.equal(r.status, 'rejected')
    t.equal((r as PromiseRejectedResult).reason.code, 'FRP_REDIS_TIMEOUT')
    t.equal((r as PromiseRejectedResult).reason.statusCode, 503)
  }
  // Once Redis answers again the board works; the paused writes may have landed meanwhile.
  await eventually(async () => (await relaxed.count()) >= 1, { what: 'Redis to answer again' })
  // The generous bound again: the point is that Redis is usable, not how fast this machine is.
  t.strictSame(await relaxed.submit('c', 3), { member: 'c', score: 3, changed: true })
  t.equal((await relaxed.top(1))[0].member, 'c')
})

test('scripts are re-sent after a Redis restart empties the script cache', async t => {
  const redis = await startRedis(t, { appendonly: true })
  const client = redis.client({ maxRetriesPerRequest: 20 })
  const b = new Leaderboard(client, boardName('restart'), { tieBreak: 'first', commandTimeout: 5000 })
  await b.submit('a', 10)
  await redis.restart()
  t.strictSame(await b.submit('a', 20), { member: 'a', score: 20, changed: true })
  t.equal((await b.info('a'))!.rank, 1)
})

test('a dead Redis gives FRP_REDIS_UNAVAILABLE or FRP_REDIS_TIMEOUT, never a hang', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ maxRetriesPerRequest: 0, enableOfflineQueue: false })
  const b = new Leaderboard(client, boardName('dead'), { commandTimeout: 200 })
  await eventually(() => client.status === 'ready', { what: 'the client to connect' })
  await new Leaderboard(client, b.name, { commandTimeout: 10_000 }).submit('a', 1)
  await redis.kill()
  await t.rejects(b.submit('a', 2), { code: /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/ })
  await t.rejects(b.top(), { code: /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/ })
})

test('a client whose own commandTimeout is shorter bounds the calls itself; its timeouts are FRP_REDIS_TIMEOUT', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ commandTimeout: 60 })
  const b = new Leaderboard(client, boardName('own-timeout'), { commandTimeout: 5000 })
  await eventually(() => client.status === 'ready', { what: 'the client to connect' })
  await redis.pause(3000) // far longer than the client's 60 ms bound
  await t.rejects(b.top(), { code: 'FRP_REDIS_TIMEOUT', statusCode: 503 })
  await t.rejects(b.submit('a', 1), { code: 'FRP_REDIS_TIMEOUT' })
})

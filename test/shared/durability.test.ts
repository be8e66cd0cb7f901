// The `durability` option (lib/shared/durability.ts): an acknowledged write has reached the
// replicas it asked for (WAIT on the connection that carried it), or fails with
// FRP_NOT_REPLICATED; without the option no WAIT is ever sent.
import tap, { test } from 'tap'
import type { Redis } from 'ioredis'
import { startRedis, startCluster, clusterNodes, eventually, type TestRedis } from '../helpers/redis.js'
import { commandCounts } from '../helpers/command-stats.js'
import { makeQueue } from '../queue/helpers.js'
import { SessionStore } from '../../lib/session/store.js'
import { newSessionId } from '../../lib/session/ids.js'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { Queue } from '../../lib/queue/queue.js'
import { normalizeDurability } from '../../lib/shared/durability.js'
import { keySlot } from '../../lib/shared/key-slot.js'

tap.setTimeout(240_000)

const DURABLE = { replicas: 1, timeout: 1000 }

/** A master and one replica linked to it (master_link_status:up). */
async function replicated (t: Parameters<typeof startRedis>[0]): Promise<{ master: TestRedis, replica: TestRedis }> {
  const master = await startRedis(t)
  const replica = await startRedis(t, { args: ['--replicaof', '127.0.0.1', String(master.port)] })
  await eventually(async () => String(await replica.admin('INFO', 'replication')).includes('master_link_status:up'), { ms: 20_000, what: 'replica linked' })
  return { master, replica }
}

/** Rejection codes of `promises`, by code. */
async function codes (promises: Array<Promise<unknown>>): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const r of await Promise.allSettled(promises)) {
    const code = r.status === 'fulfilled' ? 'ok' : String((r.reason as { code?: string }).code)
    out[code] = (out[code] ?? 0) + 1
  }
  return out
}

test('invalid durability options fail at construction with FRP_INVALID_OPTION naming the option path', async t => {
  const redis = { defineCommand () {} } as unknown as Redis
  const cases: Array<[unknown, RegExp]> = [
    [null, /"durability": must be \{ replicas, timeout \}/],
    [5, /"durability": must be/],
    [{ timeout: 100 }, /"durability\.replicas": is required/],
    [{ replicas: 1 }, /"durability\.timeout": is required/],
    [{ replicas: 0, timeout: 100 }, /"durability\.replicas": must be between 1/],
    [{ replicas: 1.5, timeout: 100 }, /"durability\.replicas": must be an integer/],
    [{ replicas: 1, timeout: 0 }, /"durability\.timeout": must be between 1/],
    [{ replicas: 1, timeout: '0s' }, /"durability\.timeout": must be between 1/],
    [{ replicas: 1, timeout: 'soon' }, /"durability\.timeout": must be a duration/],
    [{ replicas: 1, timeout: 100, wait: true }, /"durability\.wait": unknown option/]
  ]
  for (const [value, message] of cases) {
    t.throws(() => normalizeDurability('durability', value), { code: 'FRP_INVALID_OPTION', message }, JSON.stringify(value))
  }
  t.same(normalizeDurability('durability', { replicas: 2, timeout: '1.5s' }), { replicas: 2, timeout: 1500 })
  t.equal(normalizeDurability('durability', undefined), undefined)
  // Each core names its own path.
  t.throws(() => new Queue(redis, 'q', { durability: { replicas: 0, timeout: 1 } }), { code: 'FRP_INVALID_OPTION', message: /"durability\.replicas"/ })
  t.throws(() => new SessionStore(redis, { durability: { replicas: 1, timeout: -1 } }), { code: 'FRP_INVALID_OPTION', message: /"session\.durability\.timeout"/ })
  t.throws(() => new Leaderboard(redis, 'b', { durability: {} as never }), { code: 'FRP_INVALID_OPTION', message: /"leaderboard\.durability\.replicas"/ })
})

test('standalone master + replica: a confirmed write is on the replica when it resolves; without the option no WAIT is sent', async t => {
  const { master, replica } = await replicated(t)
  const redis = master.client()
  const queue = makeQueue(t, redis, { durability: DURABLE })
  const store = new SessionStore(redis, { prefix: 'd', durability: DURABLE })
  const board = new Leaderboard(redis, 'durable', { prefix: 'd', durability: DURABLE })

  const { id } = await queue.add('job', { n: 1 })
  // Read on the replica right away, no polling: WAIT answered only once the replica acknowledged it.
  t.equal(await replica.admin('HGET', queue.keys.job(id), 'st'), 'waiting', 'the confirmed job is on the replica')
  const added = await queue.addBulk(Array.from({ length: 700 }, (_, i) => ({ name: 'bulk', data: i })))
  t.equal(await replica.admin('LLEN', queue.keys.waitList), 701, 'every job of a confirmed addBulk (two chunks) is on the replica')
  t.equal(added.length, 700)

  const sid = newSessionId()
  await store.create(sid, ['a', '"1"'])
  t.equal(await replica.admin('HGET', store.keyOf(sid), '=a'), '"1"', 'a confirmed session create is on the replica')
  await store.update(sid, ['a', '"2"'])
  t.equal(await replica.admin('HGET', store.keyOf(sid), '=a'), '"2"', 'a confirmed save (the one-HSET path) is on the replica')
  t.equal(await store.destroy(sid), true)
  t.equal(await replica.admin('EXISTS', store.keyOf(sid)), 0, 'a confirmed destroy is on the replica')

  await board.submit('ada', 42)
  t.equal(await replica.admin('ZSCORE', board.key, 'ada'), '42', 'a confirmed submit is on the replica')
  await board.remove('ada')
  t.equal(await replica.admin('ZSCORE', board.key, 'ada'), null, 'a confirmed remove is on the replica')
  t.ok((await commandCounts(master.admin)).wait >= 1, 'the writes sent WAIT')

  // The same writes without the option: not one WAIT.
  await master.admin('CONFIG', 'RESETSTAT')
  const plainQueue = makeQueue(t, redis)
  const plainStore = new SessionStore(redis, { prefix: 'p' })
  const plainBoard = new Leaderboard(redis, 'plain', { prefix: 'p' })
  await plainQueue.add('job', {})
  await plainQueue.addBulk([{ name: 'a', data: 1 }])
  const pid = newSessionId()
  await plainStore.create(pid, ['a', '1'])
  await plainStore.update(pid, ['a', '2'])
  await plainStore.destroy(pid)
  await plainBoard.submit('ada', 1)
  await plainBoard.remove('ada')
  const counts = await commandCounts(master.admin)
  t.equal(counts.wait, undefined, 'no WAIT without the option')
  t.ok((counts.evalsha ?? 0) + (counts.eval ?? 0) >= 5, 'the writes themselves ran')
})

test('a replica that does not acknowledge in time: FRP_NOT_REPLICATED naming the count and the timeout; concurrent writes share one WAIT', async t => {
  const { master, replica } = await replicated(t)
  const redis = master.client()
  const timeout = 300
  const queue = makeQueue(t, redis, { durability: { replicas: 1, timeout } })
  const board = new Leaderboard(redis, 'slow', { prefix: 'd', durability: { replicas: 1, timeout } })
  const store = new SessionStore(redis, { prefix: 'd', durability: { replicas: 1, timeout } })
  await queue.add('warm', {}) // scripts loaded, replica confirmed once
  await master.admin('CONFIG', 'RESETSTAT')

  // The replica sleeps (it reads nothing, acknowledges nothing) for longer than the WAIT timeout.
  const sleeping = replica.admin('DEBUG', 'SLEEP', 3)
  await eventually(async () => Number(/master_repl_offset:(\d+)/.exec(String(await master.admin('INFO', 'replication')))?.[1]) > 0)
  const adds = Array.from({ length: 50 }, (_, i) => queue.add('job', { i }))
  const first = await adds[0].then(() => null, (err: Error & { code?: string }) => err)
  t.equal(first?.code, 'FRP_NOT_REPLICATED')
  t.equal(first?.message, `Write not confirmed by enough replicas: 0 of 1 confirmed it within ${timeout} ms`)
  t.equal((first as { statusCode?: number }).statusCode, 503)
  t.same(await codes(adds), { FRP_NOT_REPLICATED: 50 }, 'every add of the batch failed with it')
  t.equal((await commandCounts(master.admin)).wait, 1, 'the 50 writes waited on one WAIT, not one each (which would block the connection 50 x 300 ms)')
  t.equal(await redis.llen(queue.keys.waitList), 51, 'the master applied them: the caller is told they may be lost, not that they were not written')

  await t.rejects(board.submit('ada', 1), { code: 'FRP_NOT_REPLICATED' }, 'a leaderboard write fails the same way')
  await t.rejects(store.create(newSessionId(), ['a', '1']), { code: 'FRP_NOT_REPLICATED' }, 'a session write fails the same way (not wrapped as FRP_SESSION_UNAVAILABLE)')
  await sleeping
  await eventually(async () => await queue.add('after', {}).then(() => true, () => false), { ms: 10_000, what: 'writes confirmed again once the replica is back' })

  // The replica gone for good: the same error.
  await replica.kill()
  await t.rejects(queue.add('job', {}), { code: 'FRP_NOT_REPLICATED', message: /0 of 1 confirmed it within 300 ms/ })
  // Two replicas asked of one: never enough.
  const greedy = makeQueue(t, redis, { durability: { replicas: 2, timeout: 100 } })
  await t.rejects(greedy.add('job', {}), { code: 'FRP_NOT_REPLICATED', message: /0 of 2 confirmed/ })
})

test('a WAIT answered on another connection than the write never confirms it', async t => {
  // The client reconnects while the WAIT is pending (its connection killed): ioredis resends the
  // WAIT on the new connection, where it covers no write and answers at once. That must not
  // count as a confirmation.
  const { master, replica } = await replicated(t)
  const redis = master.client({ connectionName: 'durable-writer' })
  const queue = makeQueue(t, redis, { durability: { replicas: 1, timeout: 5000 } })
  await queue.add('warm', {})
  const sleeping = replica.admin('DEBUG', 'SLEEP', 1)
  const add = queue.add('job', {})
  await eventually(async () => String(await master.admin('CLIENT', 'LIST')).split('\n').some(l => l.includes('name=durable-writer') && l.includes('cmd=wait')), { what: 'the WAIT is pending' })
  t.equal(await master.killClients({ name: 'durable-writer' }), 1)
  await t.rejects(add, { code: 'FRP_NOT_REPLICATED' })
  await sleeping
})

test('Cluster with replicas: the WAIT goes to the master of the written key, whose replica then holds the write', async t => {
  const cluster = await startCluster(t, { masters: 3, replicas: 1 })
  const nodes = clusterNodes(t, cluster)
  for (const key of ['plain', '{tag}:a', 'x{}y', '{}{tag}', 'ü{ß}', 'frp:queue:{q}:meta']) {
    t.equal(keySlot(key), await nodes.slotOf(key), `keySlot(${JSON.stringify(key)}) is Redis's slot`)
  }
  const redis = cluster.client()
  const queues = ['alpha', 'beta', 'gamma', 'delta'].map(name => makeQueue(t, redis, { durability: DURABLE }, name))
  await nodes.adminAll('CONFIG', 'RESETSTAT')
  for (const q of queues) {
    const { id } = await q.add('job', { q: q.name })
    const m = await nodes.nodeOf(q.keys.meta)
    const r = await nodes.replicaOf(m)
    await nodes.admin(r, 'READONLY')
    t.equal(await nodes.admin(r, 'HGET', q.keys.job(id), 'st'), 'waiting', `queue ${q.name}: the job is on the replica of its master when add resolves`)
  }
  // Every WAIT ran on a master that serves one of the queues, none elsewhere.
  const served = new Set(await Promise.all(queues.map(q => nodes.nodeOf(q.keys.meta))))
  let waits = 0
  for (let i = 0; i < cluster.servers.length; i++) {
    const n = (await commandCounts(async (...cmd) => await nodes.admin(i, ...cmd))).wait ?? 0
    if (!served.has(i)) t.equal(n, 0, `node ${i} serves none of the queues: no WAIT there`)
    waits += n
  }
  t.equal(waits, queues.length, 'one WAIT per add, each on its key\'s master')

  const board = new Leaderboard(redis, 'cluster-board', { prefix: 'd', durability: DURABLE })
  await board.submit('ada', 7)
  const r = await nodes.replicaOf(await nodes.nodeOf(board.key))
  await nodes.admin(r, 'READONLY')
  t.equal(await nodes.admin(r, 'ZSCORE', board.key, 'ada'), '7', 'a confirmed leaderboard write is on the replica of its master')
})

// The memory watch and the snapshot behind health checks (issue 17 items 3 and 4): what a reading
// holds, which memory and policy conditions warn, how often they are logged, and that an
// unreachable Redis settles as `up: false` instead of rejecting or hanging.
import { test } from 'tap'
import { RedisWatch, type RedisWatchOptions } from '../../lib/shared/redis-watch.js'
import { startRedis, startCluster, clusterNodes, eventually, type Teardown, type TestRedis } from '../helpers/redis.js'
import { commandCounts } from '../helpers/command-stats.js'

function capture (): { warn: (msg: string) => void, info: (msg: string) => void, warns: string[], infos: string[] } {
  const warns: string[] = []
  const infos: string[] = []
  return { warns, infos, warn: msg => { warns.push(msg) }, info: msg => { infos.push(msg) } }
}

/** A server, and a watch of a client of it that logs into `log`; both stopped at teardown. */
async function watched (t: Teardown, opts: RedisWatchOptions = {}): Promise<{ redis: TestRedis, watch: RedisWatch, log: ReturnType<typeof capture> }> {
  const redis = await startRedis(t)
  const log = capture()
  const watch = new RedisWatch(redis.client(), { interval: 0, cacheFor: 0, log, ...opts })
  t.teardown(() => watch.close())
  return { redis, watch, log }
}

async function usedMemory (admin: (...args: Array<string | number>) => Promise<unknown>): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(String(await admin('INFO', 'memory')))?.[1])
}

test('a snapshot reads reachability, PING latency, memory, policy and evictions', async t => {
  const redis = await startRedis(t)
  const watch = new RedisWatch(redis.client(), { interval: 0 })
  t.teardown(() => watch.close())
  const s = await watch.snapshot()
  t.equal(s.up, true)
  t.type(s.pingSeconds, 'number')
  t.ok(s.pingSeconds! >= 0)
  t.ok(s.usedMemoryBytes! > 0, 'used_memory')
  t.equal(s.maxmemoryBytes, 0, 'no maxmemory by default')
  t.equal(s.maxmemoryPolicy, 'noeviction')
  t.equal(s.evictedKeys, 0)
  t.strictSame(s.warnings, [], 'nothing held, nothing to warn about')
  t.equal(s.error, undefined)
  t.type(s.at, 'number')
})

test('used memory past 90% of maxmemory warns once, not on later checks, and an info says when it cleared', async t => {
  const { redis, watch, log } = await watched(t, { name: 'main' })
  watch.hold('rate-limit') // a pattern with no warning of its own
  t.strictSame((await watch.snapshot()).warnings, [])
  await redis.admin('CONFIG', 'SET', 'maxmemory', Math.floor(await usedMemory(redis.admin) / 2))
  const s = await watch.snapshot()
  t.equal(s.warnings.length, 1)
  t.match(s.warnings[0], /^Redis "main": used memory is \d+% of maxmemory/)
  await watch.snapshot()
  await watch.snapshot()
  t.equal(log.warns.length, 1, 'logged once while it lasts')
  t.match(log.warns[0], /used memory is \d+% of maxmemory/)
  t.strictSame(log.infos, [])

  await redis.admin('CONFIG', 'SET', 'maxmemory', 0)
  t.strictSame((await watch.snapshot()).warnings, [])
  await watch.snapshot()
  t.strictSame(log.infos, ['Redis "main": used memory is back under 90% of maxmemory'], 'one info when it clears')
  t.equal(log.warns.length, 1)
})

test('used memory at 95% of maxmemory warns (before Redis is full), at 80% it does not', async t => {
  const { redis, watch } = await watched(t)
  await watch.snapshot() // its client's connection counts in used_memory too
  // used_memory moves by a few KB between readings (of about 1 MB): 5% is room enough.
  await redis.admin('CONFIG', 'SET', 'maxmemory', Math.floor(await usedMemory(redis.admin) / 0.95))
  t.match((await watch.snapshot()).warnings, [/used memory is 9\d% of maxmemory/])
  await redis.admin('CONFIG', 'SET', 'maxmemory', Math.floor(await usedMemory(redis.admin) / 0.8))
  const s = await watch.snapshot()
  t.ok(s.maxmemoryBytes! > 0)
  t.strictSame(s.warnings, [])
})

test('a warning that lasts is logged again after repeatWarningEvery', async t => {
  const { watch, log } = await watched(t, { repeatWarningEvery: 1 })
  watch.hold('cache')
  await eventually(async () => { await watch.snapshot(); return log.warns.length >= 2 }, { what: 'the repeated warning' })
  t.equal(new Set(log.warns).size, 1, 'the same warning')
  t.strictSame(log.infos, [])
})

test('maxmemory 0 on a Redis that holds cache entries warns', async t => {
  const { redis, watch, log } = await watched(t)
  watch.hold('lock')
  t.strictSame((await watch.snapshot()).warnings, [], 'no limit is fine for a lock under noeviction')
  watch.hold('cache')
  const s = await watch.snapshot()
  t.equal(s.warnings.length, 1)
  t.match(s.warnings[0], /maxmemory is 0 \(no limit\) on a Redis that holds cache entries/)
  t.strictSame(log.warns, s.warnings)
  await redis.admin('CONFIG', 'SET', 'maxmemory', '1gb')
  t.strictSame((await watch.snapshot()).warnings, [])
  t.strictSame(log.infos, ['Redis: maxmemory is set now'])
})

test('an evicting policy warns for sessions (and locks, queues, leaderboards), not for a cache', async t => {
  const { redis, watch, log } = await watched(t)
  await redis.admin('CONFIG', 'SET', 'maxmemory', '1gb')
  await redis.admin('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru')
  watch.hold('cache')
  watch.hold('rate-limit')
  t.strictSame((await watch.snapshot()).warnings, [], 'allkeys-lru suits a cache')
  watch.hold('session')
  const s = await watch.snapshot()
  t.equal(s.maxmemoryPolicy, 'allkeys-lru')
  t.strictSame(s.warnings, ['Redis: Redis maxmemory-policy is "allkeys-lru"; under memory pressure it may evict session data. ' +
    'Use a Redis with maxmemory-policy noeviction for locks, sessions and queues, and a separate one for caches'],
  "server-guard's wording, naming what is held")
  // volatile-* evicts keys with a TTL, and a session key has one.
  await redis.admin('CONFIG', 'SET', 'maxmemory-policy', 'volatile-ttl')
  t.match((await watch.snapshot()).warnings, [/"volatile-ttl".*session data/])
  t.equal(log.warns.length, 1, 'one warning while it lasts, though the policy changed')
  await redis.admin('CONFIG', 'SET', 'maxmemory-policy', 'noeviction')
  t.strictSame((await watch.snapshot()).warnings, [])
  t.equal(log.infos.length, 1)
})

test('a killed Redis reads as up: false with an error, never a rejection', async t => {
  const redis = await startRedis(t)
  const watch = new RedisWatch(redis.client(), { interval: 0, cacheFor: 60_000 })
  t.teardown(() => watch.close())
  t.equal((await watch.snapshot()).up, true)
  await redis.kill()
  // The cached reading said up: once the connection is known down it is not reused.
  const s = (await eventually(async () => { const r = await watch.snapshot(); return r.up ? null : r }, { what: 'a down reading' }))!
  t.equal(s.up, false)
  t.type(s.error, 'string')
  t.equal(s.pingSeconds, null)
  t.equal(s.usedMemoryBytes, null)
  t.strictSame(s.warnings, [])
})

test('a Redis that does not answer settles as down after the timeout', async t => {
  const redis = await startRedis(t)
  // No client-side commandTimeout: only the watch's timeout bounds the reading.
  const watch = new RedisWatch(redis.client({ commandTimeout: undefined }), { interval: 0, timeout: 100, cacheFor: 0 })
  t.teardown(() => watch.close())
  t.equal((await watch.snapshot()).up, true)
  await redis.pause(2000)
  const s = await watch.snapshot()
  t.equal(s.up, false)
  t.match(s.error, /did not answer within 100 ms/)
})

test('concurrent snapshot() calls share one reading, and a cached one costs nothing', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  await client.ping()
  const watch = new RedisWatch(client, { interval: 0, cacheFor: 60_000 })
  t.teardown(() => watch.close())
  await redis.admin('CONFIG', 'RESETSTAT')
  const [a, b, c] = await Promise.all([watch.snapshot(), watch.snapshot(), watch.snapshot()])
  t.equal(a.at, b.at)
  t.equal(b.at, c.at)
  await watch.snapshot()
  t.strictSame(await commandCounts(redis.admin), { ping: 1 }, 'one PING (and INFO, not counted) for four calls')
})

test('the periodic check runs the memory watch by itself', async t => {
  const { watch, log } = await watched(t, { interval: 10 })
  watch.hold('cache')
  await eventually(() => log.warns.length === 1, { what: 'the periodic check to warn' })
  t.match(log.warns[0], /maxmemory is 0/)
})

test('a Cluster is read on every master: memory summed, the policy when all agree, warnings per master', async t => {
  const cluster = await startCluster(t)
  const nodes = clusterNodes(t, cluster)
  const log = capture()
  const watch = new RedisWatch(cluster.client(), { interval: 0, cacheFor: 0, log })
  t.teardown(() => watch.close())
  watch.hold('lock')
  const s = (await eventually(async () => { const r = await watch.snapshot(); return r.up ? r : null }, { what: 'the Cluster to answer' }))!
  const used = (await nodes.adminAll('INFO', 'memory')).map(info => Number(/^used_memory:(\d+)/m.exec(String(info))?.[1]))
  t.equal(used.length, 3)
  t.ok(s.usedMemoryBytes! > Math.max(...used), 'more than any one master holds: the sum')
  t.equal(s.maxmemoryPolicy, 'noeviction')
  t.equal(s.maxmemoryBytes, 0)
  t.strictSame(s.warnings, [])

  await nodes.admin(1, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru')
  const mixed = await watch.snapshot()
  t.equal(mixed.maxmemoryPolicy, null, 'no single policy to report')
  t.match(mixed.warnings, [/"allkeys-lru".*lock data/], 'one evicting master is enough to warn')
})

test('options are validated up front', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  t.throws(() => new RedisWatch(client, { timeout: 'soon' }), { code: 'FRP_INVALID_OPTION', message: /"RedisWatch\.timeout"/ })
  t.throws(() => new RedisWatch(client, { interval: -1 }), { code: 'FRP_INVALID_OPTION', message: /"RedisWatch\.interval"/ })
  t.throws(() => new RedisWatch(client, { log: {} as never }), { code: 'FRP_INVALID_OPTION', message: /"RedisWatch\.log"/ })
  t.throws(() => new RedisWatch(client, { every: 1 } as never), { code: 'FRP_INVALID_OPTION', message: /"RedisWatch\.every"/ })
})

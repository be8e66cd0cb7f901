import { test } from 'tap'
import { Redis, Cluster } from 'ioredis'
import { recommendedRedisOptions, duplicateConnection, createSubscriber, scanKeys, masters, isCluster, escapeGlob, waitReady } from '../../lib/shared/connection.js'
import { withTimeout, ownTimeout } from '../../lib/shared/call-policy.js'
import { checkServer } from '../../lib/shared/server-guard.js'
import { startRedis, startCluster } from '../helpers/redis.js'
import { SessionStore } from '../../lib/session/store.js'
import { Locker } from '../../lib/lock/locker.js'

test('recommended options bound every command', async t => {
  const o = recommendedRedisOptions({ commandTimeout: 500 })
  t.equal(o.commandTimeout, 500)
  t.equal(o.maxRetriesPerRequest, 1)
  t.equal(o.enableAutoPipelining, true)
  t.equal((o.retryStrategy as (n: number) => number)(100), 2000)
  t.equal((o.reconnectOnError as (e: Error) => unknown)(new Error('READONLY You can\'t write')), 2)
  t.equal((o.reconnectOnError as (e: Error) => unknown)(new Error('ERR other')), false)
})

test('withTimeout rejects with FRP_REDIS_TIMEOUT when Redis is paused', async t => {
  const redis = await startRedis(t)
  const c = redis.client({ commandTimeout: undefined })
  await c.ping()
  await redis.pause(3000) // far longer than the 50 ms bound, even if this machine is slow to send
  await t.rejects(withTimeout(c.get('x'), 50), { code: 'FRP_REDIS_TIMEOUT', statusCode: 503 })
  t.equal(await withTimeout(Promise.resolve(1), 0), 1, 'no bound when ms is 0')
  await t.rejects(withTimeout(Promise.reject(new Error('boom')), 100), /boom/)
})

test('duplicate and subscriber connections work on standalone and cluster', async t => {
  const redis = await startRedis(t)
  const c = redis.client()
  const sub = createSubscriber(c)
  const dup = duplicateConnection(c)
  t.teardown(() => { sub.disconnect(); dup.disconnect() })
  await sub.subscribe('chan')
  const got = new Promise(resolve => sub.once('message', (_ch: string, m: string) => resolve(m)))
  await dup.publish('chan', 'hello')
  t.equal(await got, 'hello')
  t.notOk(isCluster(c))

  const cluster = await startCluster(t)
  const cc = cluster.client()
  t.ok(isCluster(cc))
  const csub = createSubscriber(cc)
  t.teardown(() => csub.disconnect())
  await csub.subscribe('chan2')
  const got2 = new Promise(resolve => csub.once('message', (_ch: string, m: string) => resolve(m)))
  await cc.publish('chan2', 'across the cluster')
  t.equal(await got2, 'across the cluster')
  t.equal(masters(cc).length, 3)
})

test('scanKeys visits every master of a cluster', async t => {
  const cluster = await startCluster(t)
  const c = cluster.client()
  for (let i = 0; i < 100; i++) await c.set(`scan:{${i}}:x`, '1')
  await c.set('other', '1')
  const seen: string[] = []
  for await (const batch of scanKeys(c, 'scan:*', 10)) seen.push(...batch)
  t.equal(new Set(seen).size, 100)
  t.equal(escapeGlob('a*b?[c]\\'), 'a\\*b\\?\\[c\\]\\\\')
})

test('waitReady fails clearly when Redis is unreachable', async t => {
  const redis = await startRedis(t)
  const port = redis.port
  await redis.kill()
  const c = new Redis({ port, lazyConnect: false, retryStrategy: () => 100, maxRetriesPerRequest: 0 })
  c.on('error', () => {})
  t.teardown(() => c.disconnect())
  await t.rejects(waitReady(c, 200), { code: 'FRP_REDIS_TIMEOUT' })
  const ok = (await startRedis(t)).client()
  await waitReady(ok, 2000)
  await waitReady(ok, 2000)
  t.equal(ok.status, 'ready')
})

test('server guard warns when a no-eviction pattern runs on an evicting server', async t => {
  const redis = await startRedis(t, { args: ['--maxmemory-policy', 'allkeys-lru'] })
  const c = redis.client()
  const warnings: string[] = []
  const facts = await checkServer(c, { pattern: 'queue', needsNoEviction: true, log: { warn: m => warnings.push(m) } })
  t.match(facts.version, /^\d+\.\d+/)
  t.equal(facts.maxmemoryPolicy, 'allkeys-lru')
  t.equal(warnings.length, 1)
  t.match(warnings[0], /queue: Redis maxmemory-policy is "allkeys-lru"/)
  const cacheFacts = await checkServer(c, { pattern: 'cache', needsNoEviction: false })
  t.strictSame(cacheFacts.warnings, [], 'a cache is fine under LRU')
})

test('server guard tolerates a disabled CONFIG command', async t => {
  const redis = await startRedis(t, { args: ['--rename-command', 'CONFIG', '""'] })
  const facts = await checkServer(redis.client(), { pattern: 'lock', needsNoEviction: true })
  t.equal(facts.maxmemoryPolicy, null)
  t.strictSame(facts.warnings, [])
})

test('server guard fails with FRP_REDIS_UNAVAILABLE instead of hanging', async t => {
  const redis = await startRedis(t)
  const c = redis.client({ commandTimeout: undefined, maxRetriesPerRequest: null })
  await c.ping()
  await redis.kill()
  await t.rejects(checkServer(c, { pattern: 'session', needsNoEviction: true, timeout: 300 }), { code: 'FRP_REDIS_UNAVAILABLE', message: /session/ })
})

test('ownTimeout: only a standalone client\'s own commandTimeout replaces our timer (regression: a Cluster\'s offline queue has no timer)', async t => {
  const standalone = new Redis({ lazyConnect: true, commandTimeout: 100 })
  const bare = new Redis({ lazyConnect: true })
  // Port 1: nothing listens, so the cluster never becomes ready and queues every command.
  const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true, redisOptions: { commandTimeout: 100 }, clusterRetryStrategy: () => 100 })
  t.teardown(() => { standalone.disconnect(); bare.disconnect(); cluster.disconnect() })
  t.equal(ownTimeout(standalone, 500), 0, 'a tighter client timeout bounds every command: no timer of ours')
  t.equal(ownTimeout(standalone, 50), 50, 'a looser client timeout: ours is still needed')
  t.equal(ownTimeout(bare, 500), 500, 'no client timeout: ours')
  t.equal(ownTimeout(cluster, 500), 500, 'a Cluster\'s node timeout does not cover its offline queue: ours')

  // The stores that used to trust the Cluster's node timeout now fail within their own bound.
  const sessions = new SessionStore(cluster, { commandTimeout: 300 })
  await t.rejects(sessions.load('abcdefgh.' + 'b'.repeat(43)), { code: 'FRP_SESSION_UNAVAILABLE' }, 'a session read on an unreachable Cluster fails, bounded')
  const locker = new Locker(cluster, { commandTimeout: 300 })
  t.teardown(() => locker.close())
  await t.rejects(locker.tryAcquire('k'), { code: 'FRP_REDIS_TIMEOUT' }, 'a lock attempt on an unreachable Cluster fails, bounded')
})

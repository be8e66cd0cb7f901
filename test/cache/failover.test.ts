// Issue 19, cache: through a failover and a master SIGKILL, L1 stays coherent — an instance whose
// invalidation-bus subscriber lost its connection flushes L1 ('flush' 'down') and bypasses it
// until every channel is resubscribed, so no instance serves an L1 entry invalidated while its bus
// was reconnecting. On a Cluster, ioredis moves a lost subscriber to another node silently; the
// notifier must notice that too (regression: L1 stayed trusted across the move).
import tap, { test, type Test } from 'tap'
import type { Cluster } from 'ioredis'
import { makeCache } from './fixtures/setup.js'
import { startCluster, clusterNodes, eventually } from '../helpers/redis.js'
import { startSentinel } from '../helpers/replicated.js'
import type { Cache } from '../../lib/cache/cache.js'
import Fastify from 'fastify'
import { redisCache } from '../../index.js'

tap.setTimeout(300_000)

/** Resolves with the first 'flush' reason B reports from now on; rejects after 30 s (no flush: the bug). */
function nextFlush (cache: Cache): Promise<'down' | 'up'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no L1 flush within 30 s')), 30_000)
    cache.once('flush', reason => { clearTimeout(timer); resolve(reason) })
  })
}

/** A write retried until it lands (the failover window), then read back from both instances. */
async function invalidateAcross (t: Test, a: Cache, b: Cache, key: string): Promise<void> {
  await eventually(async () => await a.set(key, 'v2').then(() => true, () => false), { ms: 30_000, what: 'a write after the failover' })
  // From here on B must never answer v1: from L1 or L2.
  for (let i = 0; i < 20; i++) {
    const v = await b.get(key).catch(() => 'error')
    t.not(v, 'v1', `read ${i} after the invalidation is not the invalidated value`)
  }
  t.equal(await eventually(async () => await b.get(key).catch(() => null), { ms: 15_000, what: 'B reads v2' }), 'v2')
}

async function primeL1 (t: Test, a: Cache, b: Cache, key: string): Promise<void> {
  // A's write broadcasts an invalidation: wait until B heard it, or it could drop the L1 entry
  // B is about to fill.
  const heard = b.stats().busMessages
  await a.set(key, 'v1')
  await eventually(() => b.stats().busMessages > heard, { what: 'B heard A\'s write' })
  t.equal(await b.get(key), 'v1')
  const before = b.stats().l1Hits
  t.equal(await b.get(key), 'v1')
  t.equal(b.stats().l1Hits, before + 1, 'B serves the key from its L1')
}

test('Sentinel: a master SIGKILL flushes L1 on every instance, and nothing invalidated meanwhile is served', async t => {
  const s = await startSentinel(t)
  const a = await makeCache(t, s.client(), { prefix: 'fo', ttl: 60_000 })
  const b = await makeCache(t, s.client(), { prefix: 'fo', ttl: 60_000 })
  await primeL1(t, a, b, 'k')
  const flushed = nextFlush(b)
  await s.killMaster()
  t.equal(await flushed, 'down', 'B flushed L1 when its subscriber lost the master')
  await invalidateAcross(t, a, b, 'k')
  await eventually(() => b.stats().busLive, { ms: 30_000, what: 'B\'s bus live again' })
  t.equal(await b.get('k'), 'v2')
})

test('Sentinel: a graceful failover flushes L1 too', async t => {
  const s = await startSentinel(t)
  const a = await makeCache(t, s.client(), { prefix: 'fo', ttl: 60_000 })
  const b = await makeCache(t, s.client(), { prefix: 'fo', ttl: 60_000 })
  await primeL1(t, a, b, 'k')
  const flushed = nextFlush(b)
  await s.failover()
  t.equal(await flushed, 'down')
  await invalidateAcross(t, a, b, 'k')
})

/** The index of the node holding the subscriber connection named `name`. */
async function subscriberNode (nodes: ReturnType<typeof clusterNodes>, count: number, name: string): Promise<number> {
  return await eventually(async () => {
    for (let i = 0; i < count; i++) {
      const list = String(await nodes.admin(i, 'CLIENT', 'LIST').catch(() => ''))
      if (list.split('\n').some(l => l.includes(name) && /\bsub=[1-9]/.test(l))) return i + 1
    }
    return 0
  }, { what: `the subscriber ${name}` }) - 1
}

test('Cluster with replicas: losing the node of a subscriber flushes L1 (regression: ioredis moved it silently)', async t => {
  const cluster = await startCluster(t, { masters: 3, replicas: 1 })
  const nodes = clusterNodes(t, cluster)
  const clientA: Cluster = cluster.client({ redisOptions: { connectionName: 'cacheA', commandTimeout: 2000, maxRetriesPerRequest: 1 } })
  const clientB: Cluster = cluster.client({ redisOptions: { connectionName: 'cacheB', commandTimeout: 2000, maxRetriesPerRequest: 1 } })
  const a = await makeCache(t, clientA, { prefix: 'fo', ttl: 60_000 })
  const b = await makeCache(t, clientB, { prefix: 'fo', ttl: 60_000 })
  await primeL1(t, a, b, 'k')
  const node = await subscriberNode(nodes, cluster.servers.length, 'cacheB')
  const isMaster = String(await nodes.admin(node, 'ROLE')).startsWith('master')
  const flushed = nextFlush(b)
  if (isMaster) await nodes.killMaster(node)
  else await nodes.kill(node)
  t.equal(await flushed, 'down', `B flushed L1 when its subscriber's node (${isMaster ? 'a master' : 'a replica'}) died`)
  await invalidateAcross(t, a, b, 'k')
  await eventually(() => b.stats().busLive, { ms: 30_000, what: 'B\'s bus live again' })
})

test('Sentinel: a cached route answers 200 through a master SIGKILL (fail open), never a 5xx', async t => {
  const s = await startSentinel(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(redisCache, { client: s.client({ commandTimeout: 300 }) })
  let origin = 0
  app.get('/item/:id', { config: { cache: { ttl: 60_000 } } }, async req => ({ id: (req.params as { id: string }).id, n: ++origin }))
  await app.ready()
  const statuses = new Map<number, number>()
  const running = { stop: false }
  const load = (async () => {
    let i = 0
    while (!running.stop) {
      const res = await app.inject(`/item/${i++ % 20}`)
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
    }
  })()
  await eventually(() => (statuses.get(200) ?? 0) > 100, { what: 'load before the kill' })
  const started = Date.now()
  await s.killMaster()
  // Keep the load on until the route is served from Redis again (a HIT), then a little more.
  await eventually(async () => (await app.inject('/item/1')).headers['x-cache'] === 'HIT', { ms: 30_000, what: 'cache hits again' })
  t.comment(`cache: cached route back to HITs ${Date.now() - started} ms after the master SIGKILL`)
  running.stop = true
  await load
  t.comment(`statuses during the run: ${JSON.stringify(Object.fromEntries(statuses))}`)
  t.same([...statuses.keys()], [200], 'every response was a 200')
})

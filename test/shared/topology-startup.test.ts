// Unsupported deployments fail at startup with FRP_REDIS_TOPOLOGY naming the problem (issue 19:
// "a Sentinel name that does not exist, a Cluster without coverage"), while an unreachable Redis
// stays an outage the plugins start through. Each pattern plugin runs the same startup check
// (plugins/shared/startup.ts); the lock and queue plugins stand in for all of them here.
import tap, { test } from 'tap'
import Fastify from 'fastify'
import { Redis, Cluster } from 'ioredis'
import { redisLock, redisQueue, recommendedRedisOptions } from '../../index.js'
import { startRedis, startCluster, clusterNodes } from '../helpers/redis.js'
import { startSentinel } from '../helpers/replicated.js'

tap.setTimeout(300_000)

const quick = { ...recommendedRedisOptions(), connectTimeout: 500, commandTimeout: 500, retryStrategy: () => 200, sentinelRetryStrategy: () => 200 }

test('a Sentinel name no Sentinel knows: FRP_REDIS_TOPOLOGY naming it', async t => {
  const s = await startSentinel(t, { replicas: 1, sentinels: 1 })
  const client = new Redis({ ...quick, sentinels: s.sentinels, name: 'not-the-master', lazyConnect: true })
  client.on('error', () => {})
  t.teardown(() => client.disconnect())
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(redisLock, { client })
  await t.rejects(async () => await app.ready(), { code: 'FRP_REDIS_TOPOLOGY', message: /lock: .*no Sentinel knows a master named "not-the-master"/ })

  // The right name starts.
  const good = s.client()
  const ok = Fastify()
  t.teardown(() => ok.close())
  await ok.register(redisLock, { client: good })
  await ok.ready()
  t.pass('the deployment\'s own name registers')
})

test('a Cluster that does not serve every slot: FRP_REDIS_TOPOLOGY', async t => {
  const cluster = await startCluster(t)
  const nodes = clusterNodes(t, cluster)
  // Take 100 slots of node 0 away from every node's view: the cluster reports cluster_state:fail.
  const ranges = await nodes.admin(0, 'CLUSTER', 'SLOTS') as Array<[number, number, [string, number]]>
  const own = ranges.find(r => Number(r[2][1]) === cluster.servers[0].port)
  if (own === undefined) throw new Error('node 0 serves no slot')
  const slots = Array.from({ length: 100 }, (_, i) => own[0] + i)
  await nodes.admin(0, 'CLUSTER', 'DELSLOTS', ...slots)
  const client = new Cluster(cluster.nodes, { redisOptions: quick, clusterRetryStrategy: () => 200, lazyConnect: true })
  client.on('error', () => {})
  t.teardown(() => client.disconnect())
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(redisQueue, { client, queues: { mail: {} } })
  await t.rejects(async () => await app.ready(), { code: 'FRP_REDIS_TOPOLOGY', message: /queue: .*serves 16284 of 16384 slots/ })
})

test('a single-node client pointed at a Cluster node or at a replica: FRP_REDIS_TOPOLOGY', async t => {
  const cluster = await startCluster(t)
  const single = new Redis({ ...quick, host: cluster.nodes[0].host, port: cluster.nodes[0].port })
  single.on('error', () => {})
  t.teardown(() => single.disconnect())
  await single.ping()
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(redisLock, { client: single })
  await t.rejects(async () => await app.ready(), { code: 'FRP_REDIS_TOPOLOGY', message: /is a Cluster node: pass an ioredis Cluster/ })

  const master = await startRedis(t)
  const replica = await startRedis(t, { args: ['--replicaof', master.host, String(master.port)] })
  const toReplica = replica.client()
  await toReplica.ping()
  const app2 = Fastify()
  t.teardown(() => app2.close())
  app2.register(redisLock, { client: toReplica })
  await t.rejects(async () => await app2.ready(), { code: 'FRP_REDIS_TOPOLOGY', message: /is a read-only replica/ })
})

test('an unreachable deployment is an outage, not a topology error: the app starts', async t => {
  const s = await startSentinel(t, { replicas: 1, sentinels: 1 })
  const client = new Redis({ ...quick, sentinels: s.sentinels, name: s.name, lazyConnect: true })
  client.on('error', () => {})
  t.teardown(() => client.disconnect())
  await s.deployment.sentinels[0].kill()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(redisLock, { client })
  await app.ready()
  t.pass('registered with every Sentinel down')
})

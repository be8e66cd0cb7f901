// The Cluster-with-replicas harness is tested itself: a replica per master, CLUSTER FAILOVER, a
// master SIGKILL and a live slot migration each leave a cluster that clients keep using.
import tap, { test } from 'tap'
import { startCluster, clusterNodes, eventually } from '../helpers/redis.js'

tap.setTimeout(300_000)

test('a Cluster of 3 masters with a replica each: failover, master kill, live slot migration', async t => {
  const cluster = await startCluster(t, { masters: 3, replicas: 1 })
  t.equal(cluster.servers.length, 6)
  const nodes = clusterNodes(t, cluster)
  const c = cluster.client()
  const key = '{harness}:k'
  await c.set(key, '1')
  const m = await nodes.nodeOf(key)
  t.ok(m < 3, 'a master started among the first three servers serves the key')
  const r = await nodes.replicaOf(m)
  t.ok(r >= 3, 'its replica is one of the last three')
  t.equal(await eventually(async () => await nodes.admin(r, 'GET', key).catch(() => null) ?? await nodes.admin(r, 'READONLY').then(async () => await nodes.admin(r, 'GET', key)), { what: 'replicated' }), '1')

  const promoted = await nodes.failover(m)
  t.equal(promoted, r, 'CLUSTER FAILOVER promoted the replica')
  t.equal(await nodes.nodeOf(key), r)
  t.equal(await eventually(async () => await c.set(key, '2').catch(() => null), { ms: 10_000, what: 'a write after failover' }), 'OK')
  t.equal(await nodes.admin(r, 'GET', key), '2')

  // The old master is now r's replica: killing r promotes it back.
  const back = await nodes.killMaster(r)
  t.equal(back, m, 'the old master, now a replica, took over after the kill')
  t.equal(await eventually(async () => await c.get(key).catch(() => null), { ms: 10_000, what: 'a read after the kill' }), '2')

  // Live migration of the key's slot to another master, with writes between batches.
  for (let i = 0; i < 250; i++) await c.set(`{harness}:n${i}`, String(i))
  const slot = await nodes.slotOf(key)
  const to = [0, 1, 2].find(i => i !== m) ?? 0
  let during = 0
  const moved = await nodes.migrateSlot(slot, to, {
    batch: 50,
    between: async () => { await c.incr('{harness}:during'); during++ }
  })
  t.equal(moved, 251, 'every key of the slot moved (250 + the key; the counter, created mid-migration, was written on the target through ASK)')
  t.equal(await nodes.nodeOf(key), to)
  t.equal(await c.get('{harness}:during'), String(during), 'writes during the migration all landed')
  t.equal(await c.get('{harness}:n249'), '249')
})

// The Sentinel harness is tested itself: the deployment is real, and each fault does what the
// failover tests rely on (a cut replica misses writes; a failover or a master kill promotes a
// replica that clients then reach through the Sentinels).
import tap, { test } from 'tap'
import { startSentinel } from '../helpers/replicated.js'
import { eventually } from '../helpers/redis.js'

tap.setTimeout(300_000)

test('a Sentinel deployment: one master, two in-sync replicas, three Sentinels', async t => {
  const s = await startSentinel(t)
  t.equal(s.deployment.nodes.length, 3)
  t.equal(s.sentinels.length, 3)
  t.equal(await s.masterIndex(), 0)
  const c = s.client()
  t.equal(await c.set('k', 'v'), 'OK')
  t.equal(await eventually(async () => await s.admin(1, 'GET', 'k'), { what: 'the write on replica 1' }), 'v')
  t.match(String(await s.admin(2, 'ROLE')), /^slave,/)
})

test('cutReplication: replicas miss the writes made after the cut, until healed', async t => {
  const s = await startSentinel(t)
  const c = s.client()
  await c.set('before', '1')
  await eventually(async () => await s.admin(1, 'GET', 'before') === '1', { what: 'replicated before the cut' })
  await s.cutReplication()
  for (let i = 0; i < 50; i++) await c.incr('after')
  t.equal(await c.get('after'), '50', 'the master has every write')
  // The replicas keep reconnecting and being dropped: give them several reconnect rounds.
  await eventually(async () => String(await s.admin(1, 'INFO', 'replication')).includes('master_link_status:down'), { what: 'link down' })
  t.equal(await s.admin(1, 'GET', 'after'), null, 'replica 1 missed them')
  t.equal(await s.admin(2, 'GET', 'after'), null, 'replica 2 missed them')
  await s.healReplication()
  t.equal(await eventually(async () => await s.admin(1, 'GET', 'after'), { ms: 10_000, what: 'catch-up after healing' }), '50')
})

test('failover: a replica is promoted and the same client writes to it', async t => {
  const s = await startSentinel(t)
  const c = s.client()
  await c.set('k', '1')
  const { from, to } = await s.failover()
  t.equal(from, 0)
  t.not(to, 0)
  t.equal(await eventually(async () => await c.set('k', '2').catch(() => null), { ms: 10_000, what: 'a write after failover' }), 'OK')
  t.equal(await s.admin(to, 'GET', 'k'), '2', 'the write reached the new master')
  t.match(String(await eventually(async () => String(await s.admin(from, 'ROLE')).startsWith('slave') && await s.admin(from, 'ROLE'), { ms: 15_000, what: 'old master demoted' })), /^slave,/)
})

test('killMaster after a cut: the promoted replica lacks the last writes; restartNode rejoins as a replica', async t => {
  const s = await startSentinel(t)
  const c = s.client()
  await c.set('n', '10')
  await eventually(async () => await s.admin(1, 'GET', 'n') === '10' && await s.admin(2, 'GET', 'n') === '10', { what: 'replicated' })
  await s.cutReplication()
  await c.set('n', '11')
  const { from, to } = await s.killMaster()
  t.equal(from, 0)
  t.equal(await eventually(async () => await c.get('n').catch(() => null), { ms: 10_000, what: 'a read after the kill' }), '10', 'the acknowledged write is lost without WAIT')
  await s.restartNode(from)
  await eventually(async () => String(await s.admin(from, 'INFO', 'replication')).includes('master_link_status:up'), { ms: 20_000, what: 'old master rejoined as a replica' })
  t.equal(await s.masterIndex(), to)
})

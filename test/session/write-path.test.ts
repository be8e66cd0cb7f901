// The hot write path (update-1.lua: HEXISTS '#x' + HSET, no TIME) and the invariant it relies on:
// a session's TTL never reaches past its absolute deadline, so "the hash still has '#x'" is the
// whole liveness check. Pins: one small script per write, no resurrection after destroy or
// expiry, no key left without a TTL, big saves in chunks, the TTL invariant after every step
// that sets a TTL.
import { test } from 'tap'
import { startRedis, startTopology, topologies, eventually } from '../helpers/redis.js'
import { commandCounts } from '../helpers/command-stats.js'
import { SessionStore } from '../../lib/session/store.js'
import { Session } from '../../lib/session/session.js'
import { newSessionId } from '../../lib/session/ids.js'
import { redisMs } from '../helpers/redis-time.js'

test('a write with no touch due is one small script: no TIME, no TTL change', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const store = new SessionStore(client, { prefix: 'hot', ttl: 60_000, touchInterval: 30_000 })
  const s = new Session(store)
  s.set('a', 1)
  await s.save()
  const key = store.keyOf(s.id)
  t.equal(key, `hot:session:{${s.id.slice(0, s.id.indexOf('.'))}}:s:${s.id.slice(s.id.indexOf('.') + 1)}`, 'the hot path writes the key keyOf names')
  await redis.admin('PEXPIRE', key, 50_000)
  const seen = await client.hget(key, '#s')
  await store.update(s.id, ['w', 'j0'], [], { refresh: false }) // loads the script (NOSCRIPT, then EVAL)
  const loaded = new Session(store, await store.load(s.id))
  loaded.set('a', 2).set('b', 'x')
  await redis.admin('CONFIG', 'RESETSTAT')
  await loaded.save()
  const counts = await commandCounts(redis.admin)
  t.strictSame(counts, { evalsha: 1, hexists: 1, hset: 1 }, 'HEXISTS + one HSET inside one EVALSHA')
  t.ok(Number(await redis.admin('PTTL', key)) <= 50_000, 'the idle TTL was not slid (no touch due)')
  t.equal(await client.hget(key, '#s'), seen, 'lastSeenAt untouched')
  t.strictSame((await store.load(s.id))?.values, new Map([['a', 'j2'], ['w', 'j0'], ['b', 'sx']]))
})

for (const topology of topologies()) {
  test(`hot write path on ${topology}`, async t => {
    const redis = await startTopology(t, topology)
    const client = redis.client()
    const store = new SessionStore(client, { prefix: `w${topology}`, ttl: 60_000, absoluteTtl: 120_000, touchInterval: 30_000 })

    async function stored (): Promise<Session> {
      const s = new Session(store)
      s.set('v', 0)
      await s.save()
      return new Session(store, await store.load(s.id))
    }

    await t.test('a write after a destroy is refused and creates nothing', async t => {
      const s = await stored()
      const id = s.id
      t.equal(await store.destroy(id), true)
      s.set('v', 1)
      await t.rejects(s.save(), { code: 'FRP_SESSION_DESTROYED' })
      t.equal(await client.exists(store.keyOf(id)), 0, 'no hash resurrected, not even a partial one')
      t.equal(s.persisted, false, 'the object continues as a new session')
      await t.rejects(store.update(id, ['v', 'j2'], [], { refresh: false }), { code: 'FRP_SESSION_DESTROYED' })
      t.equal(await client.exists(store.keyOf(id)), 0)
    })

    await t.test('a write after the session expired is refused and creates nothing', async t => {
      const s = await stored()
      const key = store.keyOf(s.id)
      await client.pexpire(key, 1)
      await eventually(async () => (await client.exists(key)) === 0, { what: 'the session to expire' })
      s.set('v', 1)
      await t.rejects(s.save(), { code: 'FRP_SESSION_DESTROYED' })
      t.equal(await client.exists(key), 0)
    })

    await t.test('a hash without its deadline field is not a session', async t => {
      const id = newSessionId()
      const key = store.keyOf(id)
      await client.hset(key, '=v', 'j1')
      await client.pexpire(key, 60_000)
      await t.rejects(store.update(id, ['v', 'j2'], [], { refresh: false }), { code: 'FRP_SESSION_DESTROYED' })
      t.equal(await client.hget(key, '=v'), 'j1', 'nothing written')
      t.equal(await store.load(id), null)
      await client.del(key)
    })

    await t.test('concurrent writes and a destroy leave no key without a TTL', async t => {
      const sessions = await Promise.all(Array.from({ length: 8 }, stored))
      const writes: Array<Promise<unknown>> = []
      for (let round = 0; round < 20; round++) {
        for (const [i, s] of sessions.entries()) {
          writes.push(store.update(s.id, [`f${round}`, `j${i}`], [], { refresh: false }).catch((err: { code?: string }) => err.code))
        }
        if (round === 10) writes.push(store.destroy(sessions[0].id), store.destroy(sessions[1].id))
      }
      const results = await Promise.all(writes)
      t.ok(results.every(r => r === 0 || r === true || r === 'FRP_SESSION_DESTROYED'), 'every write succeeded or was refused')
      t.equal(await client.exists(store.keyOf(sessions[0].id)), 0, 'destroyed stays destroyed')
      t.equal(await client.exists(store.keyOf(sessions[1].id)), 0)
      for (const s of sessions.slice(2)) {
        const key = store.keyOf(s.id)
        t.equal(await client.hlen(key), 20 + 1 + 3, 'every field of a live session persisted (20 + v + #c #s #x)')
        const pttl = await client.pttl(key)
        t.ok(pttl > 0 && pttl <= 60_000, 'and it keeps its TTL')
      }
    })

    await t.test('a big save goes through in chunks', async t => {
      const s = await stored()
      for (let i = 0; i < 450; i++) s.set(`k${i}`, i)
      await s.save()
      const loaded = await store.load(s.id)
      t.equal(loaded?.values.size, 451)
      t.equal(loaded?.values.get('k449'), 'j449')
    })

    await t.test('no step sets a TTL past the absolute deadline (what lets the hot path skip TIME)', async t => {
      const short = new SessionStore(client, { prefix: `w${topology}`, ttl: 60_000, absoluteTtl: 5_000, touchInterval: 0 })
      const within = async (id: string, what: string): Promise<void> => {
        const key = short.keyOf(id)
        // TIME strictly before PTTL: read together (on a Cluster, TIME may go to another node and
        // answer later), now + pttl overshot the deadline by the gap between the two reads.
        const now = await redisMs(client)
        const [deadline, pttl] = await Promise.all([client.hget(key, '#x'), client.pttl(key)])
        t.ok(pttl > 0 && now + pttl <= Number(deadline) + 1, `${what}: TTL ends by the deadline`)
      }
      const s = new Session(short)
      s.set('a', 1)
      await s.save()
      await within(s.id, 'create')
      const loaded = new Session(short, await short.load(s.id))
      loaded.set('a', 2)
      await loaded.save() // touchInterval 0: a refresh with the write
      await within(s.id, 'write + refresh')
      await short.touch(s.id)
      await within(s.id, 'touch')
      await loaded.regenerate({ keepData: true })
      await within(loaded.id, 'regenerate')
      await loaded.setUser('ttl-user')
      await within(loaded.id, 'setUser')
    })
  })
}

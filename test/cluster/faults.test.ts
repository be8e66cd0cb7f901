// Faults on a 3-master Redis Cluster (no replicas), one cluster for the file:
// (b) every client connection killed (CLIENT KILL): cache, lock, rate limit and leaderboard recover
//     and keep working;
// (a) one master SIGKILLed: calls touching its slots fail with coded errors instead of hanging,
//     and calls on the other masters' slots keep working.
// The cluster runs with cluster-require-full-coverage no (set at run time), the setting that lets
// the surviving masters serve their slots while one is down; with the default the whole cluster
// refuses every command (CLUSTERDOWN) once the failure is detected.
import { test } from 'tap'
import { startCluster, clusterNodes, eventually } from '../helpers/redis.js'
import { Cache } from '../../lib/cache/cache.js'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import { Locker } from '../../lib/lock/locker.js'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'

const CODED = /^FRP_/
const REDIS_DOWN = /^FRP_REDIS_(TIMEOUT|UNAVAILABLE)$/

/**
 * A hang detector, not a timing assertion: the patterns bound each call by their commandTimeout
 * (1 s here); 30 s means the bound is not applied at all, and names the call instead of leaving
 * the test to tap's global timeout.
 */
async function settles<T> (p: Promise<T>, what: string): Promise<{ ok: true, value: T } | { ok: false, err: Error & { code?: string } }> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what} hung`)), 30_000) })
  try {
    return { ok: true, value: await Promise.race([p, hang]) }
  } catch (err) {
    if ((err as Error).message === `${what} hung`) throw err
    return { ok: false, err: err as Error & { code?: string } }
  } finally {
    clearTimeout(timer)
  }
}

test('cluster faults', async t => {
  const cluster = await startCluster(t)
  const nodes = clusterNodes(t, cluster)
  await nodes.adminAll('CONFIG', 'SET', 'cluster-require-full-coverage', 'no')
  const client = cluster.client()
  const cache = new Cache(client, { prefix: 'cf', l1: false, commandTimeout: 1000 })
  const locker = new Locker(client, { prefix: 'cf', commandTimeout: 1000 })
  const rl = new RateLimiter(client, { prefix: 'cf', blockCache: false, onRedisError: 'throw', commandTimeout: 1000 })
  // One board per key, so a board lives in its key's slot (its name is the hash tag).
  const boards = new Map<string, Leaderboard>()
  const board = (k: string): Leaderboard => {
    let b = boards.get(k)
    if (b === undefined) boards.set(k, b = new Leaderboard(client, k, { commandTimeout: 1000 }))
    return b
  }
  t.teardown(() => Promise.all([cache.close(), locker.close()]))
  await cache.ready
  const rule = rl.rule({ limit: 1000, window: 60_000 })

  /** One round of every pattern on key `k`; throws on the first failure. */
  const round = async (k: string): Promise<void> => {
    await cache.set(k, { v: k })
    if (JSON.stringify(await cache.get(k)) !== JSON.stringify({ v: k })) throw new Error(`cache ${k}: wrong value`)
    const lease = await locker.acquire(k, { ttl: 5000, waitTimeout: 2000 })
    await lease.release()
    const r = await rl.hit(k, rule)
    if (!r.allowed || r.degraded) throw new Error(`rate limit ${k}: not counted in Redis`)
    await board(k).submit(k, 1)
  }

  await t.test('(b) every client connection killed: the patterns recover and keep working', async t => {
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta']
    for (const k of keys) await round(k)
    const killed = await nodes.killClients()
    t.ok(killed >= 3, `killed ${killed} client connections`)
    // The first calls may meet the dead connections; the clients reconnect on their own.
    await eventually(async () => await round('after-kill').then(() => true, () => false), { ms: 20_000, what: 'the patterns to work again' })
    for (const k of keys) {
      const res = await settles(round(k), `round ${k}`)
      t.ok(res.ok, `${k}: every pattern works after the reconnect${res.ok ? '' : `: ${res.err.message}`}`)
    }
    // The release notifications come back too: a waiter is handed the lock by the release.
    const held = await locker.acquire('handover', { ttl: 60_000 })
    const other = new Locker(cluster.client(), { prefix: 'cf' })
    t.teardown(() => other.close())
    const waiting = other.acquire('handover', { ttl: 5000, waitTimeout: 30_000 })
    await held.release()
    t.ok((await waiting).fencingToken > held.fencingToken, 'the waiter got the lock long before the 60 s TTL')
  })

  await t.test('(a) a master SIGKILLed: its slots fail with coded errors, the others keep working', async t => {
    const victim = 0
    // Keys whose slots the victim serves, and keys served by the survivors.
    const onVictim: string[] = []
    const elsewhere: string[] = []
    for (let i = 0; onVictim.length < 2 || elsewhere.length < 2; i++) {
      const k = `key${i}`
      ;((await nodes.nodeOf(k)) === victim ? onVictim : elsewhere).push(k)
    }
    for (const k of [...onVictim, ...elsewhere]) await round(k)
    const [down] = onVictim
    const [up] = elsewhere
    t.equal(await nodes.nodeOf(locker.redisKey(down)), victim, 'the lock key shares the hash tag\'s slot')

    await nodes.kill(victim)

    // Calls on the dead master's slots: coded errors (or the documented fail-open), never a hang.
    for (const k of onVictim) {
      const acquire = await settles(locker.acquire(k, { ttl: 5000, waitTimeout: 0 }), `lock.acquire ${k}`)
      t.match(acquire, { ok: false, err: { code: REDIS_DOWN } }, `lock.acquire(${k}): FRP_REDIS_*`)
      const tryAcquire = await settles(locker.tryAcquire(k), `lock.tryAcquire ${k}`)
      t.match(tryAcquire, { ok: false, err: { code: REDIS_DOWN } }, `lock.tryAcquire(${k}): FRP_REDIS_*`)
      const hit = await settles(rl.hit(k, rule), `rate limit ${k}`)
      t.match(hit, { ok: false, err: { code: 'FRP_RATE_LIMIT_STORE', statusCode: 503 } }, `rl.hit(${k}): FRP_RATE_LIMIT_STORE`)
      const set = await settles(cache.set(k, 'x'), `cache.set ${k}`)
      t.match(set, { ok: false, err: { code: CODED } }, `cache.set(${k}): a coded error`)
      // Documented fail-open: a read misses, wrap answers from the fetcher.
      t.match(await settles(cache.get(k), `cache.get ${k}`), { ok: true, value: undefined }, `cache.get(${k}) misses`)
      t.match(await settles(cache.wrap(k, async () => 'origin'), `cache.wrap ${k}`), { ok: true, value: 'origin' }, `cache.wrap(${k}) answers from the fetcher`)
      const submit = await settles(board(k).submit(k, 2), `leaderboard.submit ${k}`)
      t.match(submit, { ok: false, err: { code: REDIS_DOWN } }, `board.submit(${k}): FRP_REDIS_*`)
    }

    // The survivors' slots keep working (after the client notices the dead node, if it must).
    await eventually(async () => await round(up).then(() => true, () => false), { ms: 20_000, what: 'calls on live masters to work' })
    for (const k of elsewhere) {
      const res = await settles(round(k), `round ${k}`)
      t.ok(res.ok, `${k} (on a live master) works${res.ok ? '' : `: ${res.err.message}`}`)
    }
    // ...and the dead slots still fail the same way later on (no hang once the client gave up).
    t.match(await settles(locker.acquire(down, { waitTimeout: 0 }), 'late acquire'), { ok: false, err: { code: REDIS_DOWN } })
  })
})

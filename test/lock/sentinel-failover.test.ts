// The lock drill of issue 19 on a real Sentinel deployment (a master, two replicas, three
// Sentinels): locks are taken and released in a loop while the master fails over, or is SIGKILLed
// after replication was cut (so the promoted replica misses the last acquisitions: their lock keys
// and fence counter updates). Invariants: every token issued after the fault is greater than every
// token issued before it; a held lock whose key did not survive is reported lost to its holder
// (signal aborts with FRP_LOCK_LOST); one that survived stays held. The figures printed with
// t.comment (time until acquire succeeds again, errors returned meanwhile) are the ones in
// docs/failover.md.
import tap, { test } from 'tap'
import { setTimeout as delay } from 'node:timers/promises'
import { Locker } from '../../lib/lock/locker.js'
import type { Lease } from '../../lib/lock/lease.js'
import { startSentinel, type TestSentinel } from '../helpers/replicated.js'
import { eventually } from '../helpers/redis.js'

tap.setTimeout(300_000)

const RESOURCES = ['payment:1', 'payment:2', 'payment:3', 'payment:4']

interface Call { start: number, end: number, token?: number, code?: string }

/**
 * Acquires and releases the resources round-robin, one call at a time, until stopped; records
 * every call (its end on the monotonic clock, its token or error code).
 */
function lockLoop (locker: Locker): { calls: Call[], stop: () => Promise<void> } {
  const calls: Call[] = []
  const state = { stopped: false }
  const run = (async () => {
    for (let i = 0; !state.stopped; i++) {
      const start = performance.now()
      try {
        const lease = await locker.acquire(RESOURCES[i % RESOURCES.length], { ttl: 5000, waitTimeout: 0 })
        calls.push({ start, end: performance.now(), token: lease.fencingToken })
        await lease.release().catch(() => {})
      } catch (err) {
        calls.push({ start, end: performance.now(), code: String((err as { code?: string }).code ?? (err as Error).message) })
      }
      // Pacing only (a few hundred calls a second): a tight loop would starve the Sentinels and
      // redis-servers of this 2-core machine's CPU, and slow the failover it measures.
      await delay(5)
    }
  })()
  return { calls, stop: async () => { state.stopped = true; await run } }
}

interface Figures {
  /** Tokens answered before the fault was sent, and after. */
  before: number[]
  after: number[]
  /** The longest time without a successful acquire from the fault on: from the fault, or from the last success, to the next success (ms). */
  outageMs: number
  /** When that outage ended, ms after the fault. */
  recoveredAtMs: number
  /** Failed calls from the fault on, by error code. */
  errors: Record<string, number>
}

/** Outage figures of the calls around a fault sent at `faultAt` (performance.now()). */
function figures (calls: Call[], faultAt: number): Figures {
  const ok = calls.filter(c => c.token !== undefined)
  const before = ok.filter(c => c.end <= faultAt).map(c => c.token as number)
  const afterCalls = ok.filter(c => c.end > faultAt)
  let outageMs = 0
  let recoveredAtMs = 0
  let previous = faultAt
  for (const c of afterCalls) {
    if (c.end - previous > outageMs) { outageMs = c.end - previous; recoveredAtMs = c.end - faultAt }
    previous = c.end
  }
  const errors: Record<string, number> = {}
  for (const c of calls) if (c.code !== undefined && c.end > faultAt) errors[c.code] = (errors[c.code] ?? 0) + 1
  return { before, after: afterCalls.map(c => c.token as number), outageMs: Math.round(outageMs), recoveredAtMs: Math.round(recoveredAtMs), errors }
}

/** Waits for `n` successful acquisitions started after `since`. */
async function acquisitionsSince (calls: Call[], since: number, n: number, what: string): Promise<void> {
  await eventually(() => calls.filter(c => c.token !== undefined && c.start > since).length >= n, { ms: 60_000, what })
}

/** Waits until both replicas hold `key` with value `value` (replicated). */
async function replicated (s: TestSentinel, master: number, key: string, value: string): Promise<void> {
  const replicas = s.deployment.nodes.map((_, i) => i).filter(i => i !== master)
  await eventually(async () => {
    for (const i of replicas) if (await s.admin(i, 'GET', key) !== value) return false
    return true
  }, { ms: 10_000, what: `${key} replicated` })
}

test('master SIGKILLed after a replication cut: tokens stay increasing, a lock that vanished is reported lost', async t => {
  const s = await startSentinel(t)
  const locker = new Locker(s.client(), { prefix: 'sk' })
  const other = new Locker(s.client(), { prefix: 'sk' })
  t.teardown(() => Promise.all([locker.close(), other.close()]))
  const master = await s.masterIndex()

  // Before the cut: acquisitions that reach the replicas.
  let last = 0
  for (const r of RESOURCES) {
    const lease = await locker.acquire(r)
    last = lease.fencingToken
    await lease.release()
  }
  await replicated(s, master, locker.redisKey(RESOURCES[3]) + ':fence', String(last))

  await s.cutReplication()
  const loop = lockLoop(locker)
  // A lock taken after the cut: its key exists only on the master that is about to die.
  let held: Lease | null = null
  let lostAt = 0
  const holding = locker.using('report', async (signal, lease) => {
    held = lease
    signal.addEventListener('abort', () => { lostAt = performance.now() })
    await eventually(() => signal.aborted, { ms: 120_000, what: 'the held lease to be reported lost' })
    return 'finished'
  }, { ttl: 60_000 }).then(() => null, (err: unknown) => err) // settled here, checked below
  await eventually(() => held !== null, { what: 'the lease on "report"' })
  await acquisitionsSince(loop.calls, 0, 50, '50 acquisitions after the cut')

  // The replicas missed those acquisitions: their counters are behind the master's.
  const fence = locker.redisKey(RESOURCES[0]) + ':fence'
  const onMaster = Number(await s.admin(master, 'GET', fence))
  for (const i of s.deployment.nodes.keys()) {
    if (i === master) continue
    const onReplica = Number(await s.admin(i, 'GET', fence))
    t.ok(onReplica < onMaster, `replica ${i} missed the last acquisitions (counter ${onReplica} < ${onMaster})`)
    t.equal(await s.admin(i, 'EXISTS', locker.redisKey('report')), 0, `replica ${i} never received the held lock`)
  }

  const killAt = performance.now()
  const { from, to } = await s.killMaster()
  const promotedAt = performance.now()
  // Calls started after the promotion can only reach the new master (the old one is dead).
  await acquisitionsSince(loop.calls, promotedAt, 50, '50 acquisitions after the promotion')
  await loop.stop()

  const f = figures(loop.calls, killAt)
  t.ok(f.before.length >= 50 && f.after.length >= 50, `${f.before.length} tokens before the kill, ${f.after.length} after`)
  const maxBefore = Math.max(...f.before)
  const minAfter = Math.min(...f.after)
  t.ok(minAfter > maxBefore, `every token after the kill is greater than every token before it (${minAfter} > ${maxBefore})`)
  const all = [...f.before, ...f.after]
  t.ok(all.every((token, i) => i === 0 || token > all[i - 1]), 'each token greater than the one before, in the order of acquisition')

  // The held lock did not survive: its holder is told, and the next holder has a higher token.
  t.match(await holding, { code: 'FRP_LOCK_LOST' }, 'using() rejects with FRP_LOCK_LOST')
  t.ok(lostAt > killAt, 'the signal aborted after the kill')
  const next = await other.acquire('report', { waitTimeout: 0 })
  t.ok(next.fencingToken > (held as Lease | null)!.fencingToken, 'the next holder of the lost lock has a higher token')
  await next.release()

  t.comment(`lock drill, Sentinel (master ${from} SIGKILLed after a replication cut, replica ${to} promoted; down-after-milliseconds 1000): ` +
    `promotion seen by the harness ${Math.round(promotedAt - killAt)} ms after the kill; no successful acquire for ${f.outageMs} ms, ` +
    `acquire succeeded again ${f.recoveredAtMs} ms after the kill; errors meanwhile ${JSON.stringify(f.errors)}; ` +
    `held lease reported lost ${Math.round(lostAt - killAt)} ms after the kill; tokens ${f.before.length} before / ${f.after.length} after, ` +
    `min after - max before = ${minAfter - maxBefore} µs`)
})

test('SENTINEL FAILOVER: tokens stay increasing, and a lock that was replicated stays held', async t => {
  const s = await startSentinel(t)
  const locker = new Locker(s.client(), { prefix: 'sf' })
  t.teardown(() => locker.close())
  const master = await s.masterIndex()

  let lost = false
  let extensions = 0
  locker.on('extended', () => { extensions++ })
  const lease = await locker.acquire('report', { ttl: 60_000 })
  lease.signal.addEventListener('abort', () => { lost = true })
  const stop = lease.keepAlive()
  await replicated(s, master, locker.redisKey('report'), lease.token)

  const loop = lockLoop(locker)
  await acquisitionsSince(loop.calls, 0, 50, '50 acquisitions')
  const failoverAt = performance.now()
  const { from, to } = await s.failover()
  const switchedAt = performance.now()
  // Calls started now can only be answered by the new master (the old one is demoted).
  await acquisitionsSince(loop.calls, switchedAt, 50, '50 acquisitions after the failover')
  await loop.stop()

  const f = figures(loop.calls, failoverAt)
  const maxBefore = Math.max(...f.before)
  const minAfter = Math.min(...f.after)
  t.ok(minAfter > maxBefore, `every token after the failover is greater than every token before it (${minAfter} > ${maxBefore})`)
  const all = [...f.before, ...f.after]
  t.ok(all.every((token, i) => i === 0 || token > all[i - 1]), 'each token greater than the one before, in the order of acquisition')

  // The client reconnected to the new master, where the lock is: the check on reconnect extends it.
  await eventually(() => extensions > 0, { ms: 30_000, what: 'the held lease checked on the new master' })
  t.equal(lost, false, 'the replicated lock is not reported lost')
  t.equal(lease.held, true, 'still held')
  t.equal(await s.admin(to, 'GET', locker.redisKey('report')), lease.token, 'and ours on the new master')
  stop()
  await lease.release()

  t.comment(`lock drill, Sentinel (SENTINEL FAILOVER from ${from} to ${to}): new master confirmed and old one demoted ` +
    `${Math.round(switchedAt - failoverAt)} ms after the command; no successful acquire for ${f.outageMs} ms (ended ${f.recoveredAtMs} ms after the command); ` +
    `errors meanwhile ${JSON.stringify(f.errors)}; tokens ${f.before.length} before / ${f.after.length} after`)
})

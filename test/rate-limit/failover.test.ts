// Issue 19, rate limit: admissions through a master SIGKILL stay within the documented bound —
// at most one extra window's worth per key (the promoted replica can miss every count of the
// current window, never more: older counts no longer matter). Worst case on purpose: replication
// is cut before the window's first request, so the replicas miss all of its counts.
import tap, { test } from 'tap'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import { ALGORITHMS } from '../../lib/rate-limit/policy.js'
import { startSentinel } from '../helpers/replicated.js'
import { eventually } from '../helpers/redis.js'

tap.setTimeout(300_000)

const LIMIT = 20
const WINDOW = 120_000 // the whole test runs inside one window

test('every algorithm: admissions in the failover window are at most limit + one window\'s worth', async t => {
  const s = await startSentinel(t)
  const rl = new RateLimiter(s.client({ commandTimeout: 500 }), { blockCache: false, onRedisError: 'deny' })
  const rules = ALGORITHMS.map(algorithm => ({ algorithm, rule: rl.rule({ limit: LIMIT, window: WINDOW, algorithm }) }))
  const admitted = new Map<string, number>(ALGORITHMS.map(a => [a, 0]))
  const burst = async (): Promise<void> => {
    for (const { algorithm, rule } of rules) {
      for (let i = 0; i < LIMIT + 5; i++) {
        const r = await rl.hit(`fo-${algorithm}`, rule)
        if (r.allowed) admitted.set(algorithm, (admitted.get(algorithm) ?? 0) + 1)
      }
    }
  }

  await s.cutReplication()
  await burst()
  for (const a of ALGORITHMS) t.equal(admitted.get(a), LIMIT, `${a}: exactly the limit before the failover`)

  const killedAt = Date.now()
  await s.killMaster()
  // While the client finds the new master, checks fail and 'deny' refuses: count the refusals
  // that came from the store, and the time until a check is answered by Redis again.
  let degraded = 0
  await eventually(async () => {
    const r = await rl.hit('fo-probe', rl.rule({ limit: 1_000_000, window: WINDOW }))
    if (r.degraded) degraded++
    return !r.degraded
  }, { ms: 30_000, every: 20, what: 'a check answered by Redis' })
  t.comment(`rate limit: answered by Redis again ${Date.now() - killedAt} ms after the master SIGKILL; ${degraded} probe checks denied by the store-error policy meanwhile`)

  await burst()
  for (const a of ALGORITHMS) {
    const n = admitted.get(a) ?? 0
    t.comment(`rate limit ${a}: ${n} admitted in the window of the failover (limit ${LIMIT}, bound ${2 * LIMIT})`)
    t.ok(n <= 2 * LIMIT, `${a}: ${n} admissions ≤ limit + one window's worth (${2 * LIMIT})`)
    t.ok(n > LIMIT, `${a}: the loss is real (the counts made after the cut were not replicated)`)
  }
})

test('a graceful failover (SENTINEL FAILOVER, replicas in sync) admits nothing extra', async t => {
  const s = await startSentinel(t)
  const rl = new RateLimiter(s.client({ commandTimeout: 500 }), { blockCache: false, onRedisError: 'deny' })
  const rule = rl.rule({ limit: LIMIT, window: WINDOW })
  let admitted = 0
  const burst = async (): Promise<void> => {
    for (let i = 0; i < LIMIT + 5; i++) if ((await rl.hit('graceful', rule)).allowed) admitted++
  }
  for (let i = 0; i < LIMIT / 2; i++) if ((await rl.hit('graceful', rule)).allowed) admitted++
  // Let the replicas catch up (they are in sync within milliseconds on loopback).
  await eventually(async () => {
    const offsets = String(await s.admin(0, 'INFO', 'replication'))
    const master = Number(/master_repl_offset:(\d+)/.exec(offsets)?.[1])
    return [...offsets.matchAll(/slave\d+:.*offset=(\d+)/g)].every(m => Number(m[1]) === master)
  }, { what: 'replicas in sync' })
  await s.failover()
  await eventually(async () => !(await rl.peek('graceful', rule)).degraded, { ms: 30_000, what: 'answered again' })
  await burst()
  t.equal(admitted, LIMIT, 'exactly the limit across the failover')
})

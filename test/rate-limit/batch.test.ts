// Batching: the counted one-policy gcra and sliding-window checks of one event-loop turn go to
// Redis as one script call (batch-n.lua) with the same results as one call per check.
import t from 'tap'
import { createHash } from 'node:crypto'
import { loadScripts } from '../../lib/shared/scripts.js'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import type { RateLimitResult } from '../../lib/rate-limit/result.js'
import { Redis } from 'ioredis'
import { startRedis, startCluster, type TestCluster } from '../helpers/redis.js'
import { commandCounts, scriptCalls } from '../helpers/command-stats.js'

type Rule = ReturnType<RateLimiter['rule']>
interface Check { key: string, rule: Rule, cost: number }

/** The figures that do not depend on the clock (windows are long, so nothing refills meanwhile). */
function figures (r: RateLimitResult): unknown[] {
  return [r.allowed, r.remaining, r.limit, r.policy.limit, r.retryAfterMs > 0, r.degraded]
}

/** The checks sent together (one turn) through the callback form of hitFast. */
function together (rl: RateLimiter, checks: Check[]): Promise<RateLimitResult[]> {
  return Promise.all(checks.map(c => new Promise<RateLimitResult>((resolve, reject) => {
    rl.hitFast(c.key, c.rule, c.cost, (err, result) => { if (err === null) resolve(result as RateLimitResult); else reject(err) })
  })))
}

/** The same checks one by one, each awaited before the next is sent. */
async function oneByOne (rl: RateLimiter, checks: Check[]): Promise<RateLimitResult[]> {
  const out: RateLimitResult[] = []
  for (const c of checks) out.push(await rl.hit(c.key, c.rule, c.cost))
  return out
}

t.test('batching', async t => {
  const r = await startRedis(t)
  const redis = r.client()

  for (const algorithm of ['gcra', 'sliding-window', 'fixed-window', 'sliding-counter'] as const) {
    t.test(`${algorithm}: one key repeated in a batch answers as sequential calls do, in one script call`, async t => {
      const batched = new RateLimiter(redis, { blockCache: false, prefix: `rep-b-${algorithm}` })
      const single = new RateLimiter(redis, { blockCache: false, prefix: `rep-s-${algorithm}`, batch: false })
      t.equal(batched.batching, true, 'on by default')
      t.equal(single.batching, false)
      const rule = batched.rule({ limit: 6, window: 3_600_000, algorithm })
      const checks = [1, 2, 1, 3, 1, 1, 1, 1, 2].map(cost => ({ key: 'same', rule, cost }))
      await together(batched, [{ key: 'warm', rule, cost: 1 }]) // loads the script: the counts below see EVALSHA only
      await r.admin('CONFIG', 'RESETSTAT')
      const got = await together(batched, checks)
      t.equal(await scriptCalls(r.admin), 1, 'nine checks, one script call')
      const want = await oneByOne(single, checks)
      t.strictSame(got.map(figures), want.map(figures))
      t.strictSame(got.map(x => x.allowed), [true, true, true, false, true, true, false, false, false], 'later checks see earlier ones')
    })
  }

  t.test('a mixed batch (keys, rules, algorithms, costs) answers as sequential calls do; other checks keep their own calls', async t => {
    const batched = new RateLimiter(redis, { blockCache: false, prefix: 'mix-b' })
    const single = new RateLimiter(redis, { blockCache: false, prefix: 'mix-s', batch: false })
    const gcra = batched.rule({ limit: 3, burst: 4, window: 3_600_000, algorithm: 'gcra' })
    const sw = batched.rule({ limit: 2, window: 3_600_000, algorithm: 'sliding-window' })
    const sw5 = batched.rule({ limit: 5, window: 7_200_000, algorithm: 'sliding-window' })
    const checks: Check[] = []
    for (let i = 0; i < 6; i++) {
      checks.push({ key: 'a', rule: gcra, cost: 1 }, { key: 'b', rule: sw, cost: 1 }, { key: 'a', rule: sw5, cost: i % 2 + 1 }, { key: `c${i % 2}`, rule: gcra, cost: 2 })
    }
    await together(batched, [{ key: 'warm', rule: sw, cost: 1 }])
    await r.admin('CONFIG', 'RESETSTAT')
    const got = await together(batched, checks)
    t.equal(await scriptCalls(r.admin), 1, `${checks.length} checks, one script call`)
    t.strictSame(got.map(figures), (await oneByOne(single, checks)).map(figures))

    // Multi-policy rules and peeks are not batched: one call each, beside the batch.
    const multi = batched.rule([{ limit: 5, window: 60_000 }, { limit: 50, window: 3_600_000 }])
    await r.admin('CONFIG', 'RESETSTAT')
    const [m, p, b] = await Promise.all([batched.hit('m', multi), batched.peek('a', sw5), batched.hit('n', sw)])
    t.strictSame([m.allowed, m.remaining, p.allowed, b.allowed, b.remaining], [true, 4, false, true, 1])
    t.equal(await scriptCalls(r.admin), 3)
  })

  t.test('the checks of one key share one read and one write of its state, however many there are', async t => {
    const rl = new RateLimiter(redis, { blockCache: false, prefix: 'shared-state' })
    const sw = rl.rule({ limit: 100, window: 3_600_000, algorithm: 'sliding-window' })
    const gcra = rl.rule({ limit: 100, window: 3_600_000, algorithm: 'gcra' })
    await together(rl, [{ key: 'warm', rule: sw, cost: 1 }, { key: 'warm', rule: gcra, cost: 1 }])
    const checks: Check[] = []
    for (let i = 0; i < 10; i++) checks.push({ key: 's', rule: sw, cost: 1 + (i % 3) }, { key: 'g', rule: gcra, cost: 1 })
    await r.admin('CONFIG', 'RESETSTAT')
    const got = await together(rl, checks)
    const counts = await commandCounts(r.admin)
    t.strictSame(got.filter((_, i) => i % 2 === 0).map(x => x.remaining), [99, 97, 94, 93, 91, 88, 87, 85, 82, 81], 'sliding-window: every cost counted')
    t.strictSame(got.filter((_, i) => i % 2 === 1).map(x => x.remaining), [99, 98, 97, 96, 95, 94, 93, 92, 91, 90], 'gcra: every check counted')
    t.strictSame({ zremrangebyscore: counts.zremrangebyscore, zcard: counts.zcard, zadd: counts.zadd, get: counts.get, set: counts.set },
      { zremrangebyscore: 1, zcard: 1, zadd: 1, get: 1, set: 1 }, 'one read and one write per key')
    t.equal(await redis.zcard(rl.keyOf('s', 'sliding-window')), 19, 'all 19 units are in the log')
    const ttl = await redis.pttl(rl.keyOf('s', 'sliding-window'))
    t.ok(ttl >= 3_600_000 - 5_000, `the log outlives its window (pttl ${ttl})`)
    t.ok(await redis.pttl(rl.keyOf('g', gcra)) > 0, 'the gcra key has a TTL')
  })

  t.test('one key under other windows or gcra policies, with refusals between admissions, answers as sequential calls do', async t => {
    const batched = new RateLimiter(redis, { blockCache: false, prefix: 'shift-b' })
    const single = new RateLimiter(redis, { blockCache: false, prefix: 'shift-s', batch: false })
    // Same key, same algorithm, different policies: one sorted set (counted per window); for the
    // other algorithms one string key per policy (the core API's keys name the policy).
    const swHour = batched.rule({ limit: 4, window: 3_600_000, algorithm: 'sliding-window' })
    const swTwo = batched.rule({ limit: 6, window: 7_200_000, algorithm: 'sliding-window' })
    const gA = batched.rule({ limit: 3, window: 3_600_000, algorithm: 'gcra' })
    const gB = batched.rule({ limit: 5, burst: 2, window: 3_600_000, algorithm: 'gcra' })
    const fA = batched.rule({ limit: 3, window: 3_600_000, algorithm: 'fixed-window' })
    const fB = batched.rule({ limit: 2, window: 7_200_000, algorithm: 'fixed-window' })
    const cA = batched.rule({ limit: 3, window: 3_600_000, algorithm: 'sliding-counter' })
    const cB = batched.rule({ limit: 2, window: 7_200_000, algorithm: 'sliding-counter' })
    const plan: Array<[Rule, number]> = [[swHour, 3], [swHour, 2], [swHour, 1], [swTwo, 2], [swHour, 1], [swTwo, 1], [swTwo, 1], [swHour, 1],
      [gA, 2], [gB, 1], [gA, 2], [gA, 1], [gB, 2], [gB, 1], [gA, 1],
      [fA, 2], [fB, 1], [fA, 2], [fA, 1], [fB, 2], [fB, 1], [fA, 1],
      [cA, 2], [cB, 1], [cA, 2], [cA, 1], [cB, 2], [cB, 1], [cA, 1]]
    const checks = plan.map(([rule, cost]) => ({ key: 'x', rule, cost }))
    await together(batched, [{ key: 'warm', rule: swHour, cost: 1 }])
    await r.admin('CONFIG', 'RESETSTAT')
    const got = await together(batched, checks)
    t.equal(await scriptCalls(r.admin), 1)
    const want = await oneByOne(single, checks)
    t.strictSame(got.map(figures), want.map(figures))
    t.strictSame(got.map(x => x.retryAfterMs > 0 ? Math.round(x.retryAfterMs / 60_000) : 0), want.map(x => x.retryAfterMs > 0 ? Math.round(x.retryAfterMs / 60_000) : 0), 'same retry times (in minutes)')
    const perKind = [true, true, false, true, false, true, false]
    t.strictSame(got.map(x => x.allowed), [true, false, true, true, false, false, false, false, ...perKind, ...perKind, ...perKind])
    t.strictSame(await redis.zcard(batched.keyOf('x', 'sliding-window')), await redis.zcard(single.keyOf('x', 'sliding-window')), 'the same log')
    for (const rule of [gA, gB, fA, fB, cA, cB]) {
      const [b, o] = [await redis.get(batched.keyOf('x', rule)), await redis.get(single.keyOf('x', rule))]
      const what = `${rule.algorithm} ${rule.suffix}`
      t.ok(b !== null && o !== null, `${what}: one key each`)
      // A gcra value is its TAT's microseconds: time-dependent.
      if (rule.algorithm !== 'gcra') t.equal(b, o, `${what}: the same counts`)
      t.ok(await redis.pttl(batched.keyOf('x', rule)) > 0, `${what}: a TTL`)
    }
  })

  t.test('the one-policy fast path of each single script answers as its general (multi-policy) code', async t => {
    // A second, never-binding policy sends the same checks through the general code.
    const single = new RateLimiter(redis, { blockCache: false, prefix: 'fast-vs-general', batch: false })
    for (const algorithm of ['gcra', 'sliding-window', 'fixed-window', 'sliding-counter'] as const) {
      const tight = { limit: 5, window: 3_600_000, algorithm }
      const one = single.rule(tight)
      const two = single.rule([tight, { limit: 1_000_000, window: 7_200_000, algorithm }])
      const costs = [2, 1, 3, 1, 1, 2, 1]
      const fast: RateLimitResult[] = []
      const general: RateLimitResult[] = []
      for (const cost of costs) fast.push(await single.hit(`one-${algorithm}`, one, cost))
      for (const cost of costs) general.push(await single.hit(`two-${algorithm}`, two, cost))
      t.strictSame(fast.map(figures), general.map(figures), algorithm)
      t.strictSame(fast.map(x => Math.round(x.resetMs / 60_000)), general.map(x => Math.round(x.resetMs / 60_000)), `${algorithm}: reset times (minutes)`)
      t.strictSame(fast.map(x => Math.round(x.retryAfterMs / 60_000)), general.map(x => Math.round(x.retryAfterMs / 60_000)), `${algorithm}: retry times (minutes)`)
      const peekFast = await single.peek(`one-${algorithm}`, one)
      const peekGeneral = await single.peek(`two-${algorithm}`, two)
      t.strictSame(figures(peekFast), figures(peekGeneral), `${algorithm}: peek`)
    }
  })

  t.test('regression: a sliding-window cost above ~4000 units failed with "too many results to unpack"', async t => {
    for (const batch of [true, false]) {
      const rl = new RateLimiter(redis, { blockCache: false, prefix: `big-cost-${String(batch)}`, batch })
      const rule = rl.rule({ limit: 100_000, window: 60_000, algorithm: 'sliding-window' })
      const [a, b] = await together(rl, [{ key: 'k', rule, cost: 9_000 }, { key: 'k', rule, cost: 9_000 }])
      t.strictSame([a.allowed, a.remaining, b.allowed, b.remaining], [true, 91_000, true, 82_000], `batch ${String(batch)}`)
      t.equal(await redis.zcard(rl.keyOf('k', 'sliding-window')), 18_000)
      const multi = rl.rule([{ limit: 100_000, window: 60_000 }, { limit: 200_000, window: 120_000 }])
      t.equal((await rl.hit('m', multi, 9_000)).remaining, 91_000, 'multi-policy rule too')
    }
  })

  t.test('a cost above the limit is refused inside the batch; only a cost too large for its exact argument goes alone', async t => {
    const batched = new RateLimiter(redis, { blockCache: false, prefix: 'over-b' })
    const single = new RateLimiter(redis, { blockCache: false, prefix: 'over-s', batch: false })
    for (const algorithm of ['gcra', 'sliding-window'] as const) {
      const rule = batched.rule({ limit: 5, window: 3_600_000, algorithm })
      await together(batched, [{ key: 'warm', rule, cost: 1 }])
      const checks = [1, 6, 5, 1].map(cost => ({ key: `k-${algorithm}`, rule, cost }))
      await r.admin('CONFIG', 'RESETSTAT')
      const got = await together(batched, checks)
      t.equal(await scriptCalls(r.admin), 1, `${algorithm}: one call`)
      t.strictSame(got.map(figures), (await oneByOne(single, checks)).map(figures))
      t.strictSame(got.map(x => x.allowed), [true, false, false, true])
      // cost * 16384 + rule index must stay below 2^53: a larger cost is sent alone.
      await r.admin('CONFIG', 'RESETSTAT')
      const [huge, one] = await together(batched, [{ key: `h-${algorithm}`, rule, cost: 2 ** 50 }, { key: `h-${algorithm}`, rule, cost: 1 }])
      t.strictSame([huge.allowed, huge.remaining, one.allowed, one.remaining], [false, 5, true, 4])
      t.equal(await scriptCalls(r.admin), 2, 'the huge cost alone, the other in the batch')
    }
  })

  t.test('a turn with one check sends its single script (cheaper in Redis than a batch of one), directly', async t => {
    const sources = loadScripts('rate-limit', new URL('../../lib/rate-limit/', import.meta.url))
    const sha = (name: 'batch' | 'gcra' | 'sliding-window'): string => createHash('sha1').update(sources.source(name)).digest('hex')
    const piped = r.client({ enableAutoPipelining: true })
    const rl = new RateLimiter(piped, { blockCache: false, prefix: 'lone' })
    const rule = rl.rule({ limit: 5, window: 3_600_000, algorithm: 'gcra' })
    await r.admin('SCRIPT', 'FLUSH')
    const lone = together(rl, [{ key: 'k', rule, cost: 1 }])
    await new Promise(resolve => setImmediate(resolve)) // the turn's flush has run
    t.equal(piped.autoPipelineQueueSize, 0, 'sent at once, not held in the auto-pipeline')
    t.strictSame((await lone).map(x => [x.allowed, x.remaining]), [[true, 4]])
    t.strictSame(await r.admin('SCRIPT', 'EXISTS', sha('gcra'), sha('batch')), [1, 0], 'the single gcra script ran, not the batch')
    const two = await together(rl, [{ key: 'k', rule, cost: 1 }, { key: 'k', rule, cost: 2 }])
    t.strictSame(two.map(x => x.remaining), [3, 1])
    t.strictSame(await r.admin('SCRIPT', 'EXISTS', sha('batch')), [1], 'two checks: the batch')
  })

  t.test('a batch flushes when it reaches maxChecks', async t => {
    const rl = new RateLimiter(redis, { blockCache: false, prefix: 'cap', batch: { maxChecks: 4 } })
    const rule = rl.rule({ limit: 100, window: 3_600_000, algorithm: 'gcra' })
    await rl.hit('warm', rule)
    await r.admin('CONFIG', 'RESETSTAT')
    const results = await together(rl, Array.from({ length: 10 }, () => ({ key: 'k', rule, cost: 1 })))
    t.strictSame(results.map(x => x.remaining), [99, 98, 97, 96, 95, 94, 93, 92, 91, 90])
    t.equal(await scriptCalls(r.admin), 3, '4 + 4 + 2')
    // The promise form (hit) batches too, with the default cap.
    await r.admin('CONFIG', 'RESETSTAT')
    const def = new RateLimiter(redis, { blockCache: false, prefix: 'cap-default' })
    const many = await Promise.all(Array.from({ length: 100 }, () => def.hit('k', rule)))
    t.equal(many.filter(x => x.allowed).length, 100)
    t.equal(await scriptCalls(r.admin), 2, '64 + 36')
  })

  t.test('batch: false restores one script call per check', async t => {
    const rl = new RateLimiter(redis, { blockCache: false, prefix: 'off', batch: false })
    const rule = rl.rule({ limit: 100, window: 60_000 })
    await rl.hit('warm', rule)
    await r.admin('CONFIG', 'RESETSTAT')
    await together(rl, Array.from({ length: 7 }, () => ({ key: 'k', rule, cost: 1 })))
    t.equal(await scriptCalls(r.admin), 7)
  })

  t.test('single script calls (batch off, multi-policy rules, peeks) are sent at once, not held in the auto-pipeline', async t => {
    const piped = r.client({ enableAutoPipelining: true })
    const rl = new RateLimiter(piped, { blockCache: false, prefix: 'direct-single', batch: false })
    const multi = rl.rule([{ limit: 5, window: 60_000 }, { limit: 50, window: 3_600_000 }])
    const one = rl.rule({ limit: 5, window: 60_000, algorithm: 'gcra' })
    await rl.hit('warm', one)
    await rl.hit('warm', multi)
    const calls = [rl.hit('k', one), rl.hit('k', multi), rl.peek('k', one)]
    t.equal(piped.autoPipelineQueueSize, 0, 'nothing waits for the next turn')
    const [a, b, c] = await Promise.all(calls)
    t.strictSame([a.allowed, a.remaining, b.allowed, b.remaining, c.allowed], [true, 4, true, 4, true])
  })

  t.test('an empty script cache (NOSCRIPT) re-sends the batch once by EVAL', async t => {
    const rl = new RateLimiter(redis, { blockCache: false, prefix: 'noscript' })
    const rule = rl.rule({ limit: 3, window: 60_000 })
    await rl.hit('warm', rule)
    await r.admin('SCRIPT', 'FLUSH')
    const results = await together(rl, Array.from({ length: 5 }, () => ({ key: 'k', rule, cost: 1 })))
    t.strictSame(results.map(x => x.allowed), [true, true, true, false, false])
  })

  t.test('the block cache still learns rejections from batched replies', async t => {
    const rl = new RateLimiter(redis, { prefix: 'blocks' })
    const rule = rl.rule({ limit: 2, window: 60_000, algorithm: 'gcra' })
    const first = await together(rl, Array.from({ length: 3 }, () => ({ key: 'k', rule, cost: 1 })))
    t.strictSame(first.map(x => x.allowed), [true, true, false])
    let sync = false
    rl.hitFast('k', rule, 1, (err, result) => { sync = err === null && result?.allowed === false })
    t.equal(sync, true, 'answered from the block cache, synchronously')
  })

  t.test('options', async t => {
    t.throws(() => new RateLimiter(redis, { batch: 'yes' as never }), /"batch": must be a boolean or \{ maxChecks \}/)
    t.throws(() => new RateLimiter(redis, { batch: { maxChecks: 0 } }), /"batch.maxChecks": must be between 1/)
    t.throws(() => new RateLimiter(redis, { batch: { size: 3 } as never }), /size/)
    t.equal(new RateLimiter(redis, { batch: { maxChecks: 8 } }).batching, true)
    t.equal(new RateLimiter(redis, { batch: true }).batching, true)
  })
})

t.test('a failed batch gives every check the failure policy, as one-by-one calls would', async t => {
  const r = await startRedis(t)
  const redis = r.client({ commandTimeout: 5000 })
  const options = { blockCache: false, commandTimeout: 150 } as const
  const strict = new RateLimiter(redis, { ...options, prefix: 'f-throw' })
  const deny = new RateLimiter(redis, { ...options, prefix: 'f-deny', onRedisError: 'deny' })
  const allow = new RateLimiter(redis, { ...options, prefix: 'f-allow', onRedisError: 'allow' })
  const open = new RateLimiter(redis, { ...options, prefix: 'f-open', onRedisError: 'allow', insurance: false })
  const rule = strict.rule({ limit: 3, window: 60_000, algorithm: 'gcra' })
  await together(strict, [{ key: 'warm', rule, cost: 1 }])
  const five = Array.from({ length: 5 }, () => ({ key: 'k', rule, cost: 1 }))
  // A short pause that runs out by itself (see TestRedis.pause); every batch times out at 150 ms.
  await r.pause(1000)
  // All four batches (and the strict checks one by one) are queued in one turn.
  const strictEach = Promise.allSettled(five.map(async c => await together(strict, [c]).then(x => x[0])))
  const [denied, allowed, opened] = await Promise.all([deny, allow, open].map(async rl => await together(rl, five)))
  const thrown = await strictEach
  t.strictSame(thrown.map(x => x.status), Array(5).fill('rejected'))
  for (const x of thrown) t.match((x as PromiseRejectedResult).reason, { code: 'FRP_RATE_LIMIT_STORE' })
  t.strictSame(denied.map(x => [x.allowed, x.degraded]), Array(5).fill([false, true]), "'deny': every check denied")
  t.strictSame(allowed.map(x => [x.allowed, x.degraded]), [[true, true], [true, true], [true, true], [false, true], [false, true]],
    "'allow': the insurance limiter counts each check of the batch")
  t.strictSame(opened.map(x => x.allowed), Array(5).fill(true), "'allow' without insurance: every check allowed")
})

/** Successful script calls on every master of `cluster` since it started. */
async function clusterScriptCalls (cluster: TestCluster): Promise<number> {
  let n = 0
  for (const node of cluster.nodes) {
    const c = new Redis(node.port, node.host)
    try {
      n += await scriptCalls(async (...args) => await c.call(String(args[0]), ...args.slice(1)))
    } finally {
      c.disconnect()
    }
  }
  return n
}

t.test('a Cluster client batches per key (one script\'s keys must share a slot): a hot key shares one call, lone keys go alone', async t => {
  const cluster = await startCluster(t)
  const client = cluster.client()
  const rl = new RateLimiter(client, { blockCache: false })
  const single = new RateLimiter(client, { blockCache: false, prefix: 'cl-single', batch: false })
  t.equal(rl.batching, true)
  for (const algorithm of ['gcra', 'sliding-window', 'fixed-window', 'sliding-counter'] as const) {
    const rule = rl.rule({ limit: 3, window: 3_600_000, algorithm })
    const checks = ['a', 'b', 'a', 'a', 'c', 'a', 'b'].map(key => ({ key: `${algorithm}-${key}`, rule, cost: 1 }))
    await together(rl, [{ key: 'warm', rule, cost: 1 }, { key: 'warm', rule, cost: 1 }]) // loads the batch script
    await together(rl, [{ key: 'warm1', rule, cost: 1 }]) // and the single one
    const before = await clusterScriptCalls(cluster)
    const got = await together(rl, checks)
    t.equal(await clusterScriptCalls(cluster) - before, 3, `${algorithm}: one call for a (4 checks), one for b (2), one for c`)
    t.strictSame(got.map(x => x.allowed), [true, true, true, true, true, false, true])
    t.strictSame(got.map(figures), (await oneByOne(single, checks)).map(figures), `${algorithm}: as one-by-one calls`)
  }
})

// Window boundaries: the sliding algorithms never let a client double its quota by straddling a
// window edge (the fixed-window flaw of @fastify/rate-limit). The test hammers one key until three
// windows' worth of requests passed and checks every span of one window length, using only what the timestamps prove:
// a request's Redis time lies between its local send and receive times, so requests sent after
// request i was answered and answered before send(i) + window lie within one window of it.
import t from 'tap'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import { startRedis } from '../helpers/redis.js'

interface Sample { send: number, recv: number }

/** Hits `key` back to back until `wanted` requests were allowed (several windows' worth), or 15 s. */
async function hammer (rl: RateLimiter, key: string, rule: ReturnType<RateLimiter['rule']>, wanted: number): Promise<Sample[]> {
  const allowed: Sample[] = []
  const end = performance.now() + 15_000
  while (allowed.length < wanted && performance.now() < end) {
    const send = performance.now()
    const r = await rl.hit(key, rule)
    if (r.allowed) allowed.push({ send, recv: performance.now() })
  }
  return allowed
}

/** The largest number of allowed requests provably inside one window. */
function maxInOneWindow (samples: Sample[], window: number): number {
  let max = 0
  for (const s of samples) {
    const n = samples.filter(o => o === s || (o.send >= s.recv && o.recv <= s.send + window)).length
    if (n > max) max = n
  }
  return max
}

t.test('window boundaries', async t => {
  const redis = (await startRedis(t)).client()
  const window = 400
  const limit = 8

  t.test('sliding-window: no span of one window ever holds more than the limit', async t => {
    const rl = new RateLimiter(redis, { blockCache: false })
    const samples = await hammer(rl, 'edge-sw', rl.rule({ limit, window }), limit * 3)
    t.ok(samples.length >= limit * 2, `requests passed in several windows (${samples.length})`)
    t.ok(maxInOneWindow(samples, window) <= limit, `max in one window ${maxInOneWindow(samples, window)}`)
  })

  t.test('sliding-counter: no span of one window reaches twice the limit', async t => {
    const rl = new RateLimiter(redis, { blockCache: false })
    const samples = await hammer(rl, 'edge-sc', rl.rule({ limit, window, algorithm: 'sliding-counter' }), limit * 3)
    t.ok(samples.length >= limit * 2, `requests passed in several windows (${samples.length})`)
    t.ok(maxInOneWindow(samples, window) < 2 * limit, `max in one window ${maxInOneWindow(samples, window)}`)
  })

  t.test('gcra: no span of one window holds more than burst plus the refill of that window', async t => {
    const rl = new RateLimiter(redis, { blockCache: false })
    const samples = await hammer(rl, 'edge-gcra', rl.rule({ limit, window, algorithm: 'gcra' }), limit * 3)
    t.ok(samples.length >= limit * 2, `requests passed in several windows (${samples.length})`)
    t.ok(maxInOneWindow(samples, window) <= 2 * limit, `max in one window ${maxInOneWindow(samples, window)}`)
  })
})

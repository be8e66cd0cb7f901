// Exactness under concurrency: three Fastify instances, each with its own ioredis client, on one
// Redis (or one Cluster), fire 600 concurrent requests at a limit of 50: exactly 50 pass.
import t, { type Test } from 'tap'
import { buildApp } from '../helpers/rate-limit.js'
import { startCluster, startRedis, topologies, type Topology } from '../helpers/redis.js'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import { ALGORITHMS } from '../../lib/rate-limit/policy.js'
import type { Redis, Cluster } from 'ioredis'

const cases = [
  { name: 'sliding-window', opts: { limit: 50, window: 3_600_000, algorithm: 'sliding-window' as const } },
  { name: 'gcra (burst 50)', opts: { limit: 50, window: 3_600_000, burst: 50, algorithm: 'gcra' as const } },
  // Batched like the two above since every one-policy rule is: exact too.
  { name: 'fixed-window', opts: { limit: 50, window: 3_600_000, algorithm: 'fixed-window' as const } },
  { name: 'sliding-counter', opts: { limit: 50, window: 3_600_000, algorithm: 'sliding-counter' as const } }
]

// Clients with a generous command timeout: this file asserts exactness, not failure handling,
// and 600 concurrent requests on a loaded 2-core machine can exceed the harness's 2 s default.
async function start (t: Test, topology: Topology): Promise<{ client: () => Redis | Cluster }> {
  if (topology === 'cluster') {
    const c = await startCluster(t)
    return { client: () => c.client({ redisOptions: { commandTimeout: 30_000, maxRetriesPerRequest: 1 } }) }
  }
  const r = await startRedis(t)
  return { client: () => r.client({ commandTimeout: 30_000 }) }
}

for (const topology of topologies()) {
  t.test(`concurrency on ${topology}`, async t => {
    const handle = await start(t, topology)

    for (const c of cases) {
      t.test(`${c.name}: 3 instances × 200 concurrent requests at limit 50 → exactly 50 allowed`, async t => {
        const apps = await Promise.all([0, 1, 2].map(() => buildApp(handle.client(), { ...c.opts, keyGenerator: () => `crowd-${c.name}`, onRedisError: 'deny', commandTimeout: 30_000 })))
        t.teardown(() => Promise.all(apps.map(a => a.close())))
        const responses = await Promise.all(Array.from({ length: 600 }, (_, i) => apps[i % 3].inject({ method: 'GET', url: '/' })))
        const ok = responses.filter(r => r.statusCode === 200).length
        const limited = responses.filter(r => r.statusCode === 429).length
        t.strictSame(responses.filter(r => r.statusCode !== 200 && r.statusCode !== 429).map(r => r.body), [], 'no store failures')
        t.equal(ok, 50)
        t.equal(limited, 550)
      })
    }

    t.test('every algorithm is exact under 300 concurrent core hits from 3 clients', async t => {
      for (const algorithm of ALGORITHMS) {
        const limiters = [0, 1, 2].map(() => new RateLimiter(handle.client(), { blockCache: false, commandTimeout: 30_000 }))
        const rule = limiters[0].rule({ limit: 20, window: 3_600_000, algorithm })
        const results = await Promise.all(Array.from({ length: 300 }, (_, i) => limiters[i % 3].hit(`core-crowd-${algorithm}`, rule)))
        t.equal(results.filter(r => r.allowed).length, 20, algorithm)
      }
    })
  })
}

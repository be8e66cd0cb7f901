// Case "rate-limit": hook overhead with requests that pass (one round trip each, ours vs
// @fastify/rate-limit with its Redis store, same Redis, same client settings), and the rejected
// path with and without our local block cache. Beside req/s, each contender's Redis work per
// request (script calls and script time from INFO commandstats, warm-up included): steadier than
// req/s on this shared machine, and what the block cache exists to remove.
import { Redis } from 'ioredis'
import { compare, fmt, httpReqPerSec, median, table } from '../lib/harness.js'

export default async function rateLimitBench ({ redisUrl }) {
  const admin = new Redis(redisUrl)
  const work = {}
  /** Script calls and microseconds so far (every script call; the contenders use nothing else for checks). */
  async function scriptStats () {
    const info = await admin.info('commandstats')
    let calls = 0
    let usec = 0
    for (const m of info.matchAll(/^cmdstat_(?:eval|evalsha|evalsha_ro|eval_ro):calls=(\d+),usec=(\d+)/gm)) {
      calls += Number(m[1])
      usec += Number(m[2])
    }
    return { calls, usec }
  }
  /** `run`, with its Redis script work per served request recorded under `name`. */
  const measured = (name, run) => ({
    name,
    run: async () => {
      const before = await scriptStats()
      const res = await run()
      const after = await scriptStats()
      ;(work[name] ??= []).push({ calls: (after.calls - before.calls) / res.served, usec: (after.usec - before.usec) / res.served })
      return res
    }
  })
  const workTable = (title, names) => [
    `| ${title}: Redis work per request (medians) | script calls per 1,000 requests | script µs per request |`, '|---|---|---|',
    ...names.map(n => `| ${n} | ${fmt(median(work[n].map(w => w.calls * 1000)))} | ${median(work[n].map(w => w.usec)).toFixed(2)} |`)
  ].join('\n')

  const base = { BENCH_REDIS_URL: redisUrl, BENCH_AUTOPIPELINE: process.env.BENCH_AUTOPIPELINE ?? '1' }
  const pass = { ...base, BENCH_LIMIT: String(1e9) }
  const allowedContenders = [
    measured('@fastify/rate-limit (Redis store)', () => httpReqPerSec('bench/servers/rate-limit-anchor.js', pass)),
    measured('redisRateLimit sliding-window', () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...pass, BENCH_ALGORITHM: 'sliding-window' })),
    measured('redisRateLimit gcra', () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...pass, BENCH_ALGORITHM: 'gcra' })),
    measured('redisRateLimit sliding-window, batch off', () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...pass, BENCH_ALGORITHM: 'sliding-window', BENCH_BATCH: '0' })),
    measured('redisRateLimit gcra, batch off', () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...pass, BENCH_ALGORITHM: 'gcra', BENCH_BATCH: '0' })),
    measured('redisRateLimit sliding-counter', () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...pass, BENCH_ALGORITHM: 'sliding-counter' })),
    measured('redisRateLimit fixed-window', () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...pass, BENCH_ALGORITHM: 'fixed-window' }))
  ]
  const reject = { ...base, BENCH_LIMIT: '1' }
  const rejectedContenders = [
    measured('redisRateLimit, no block cache', () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...reject, BENCH_ALGORITHM: 'sliding-window', BENCH_BLOCK_CACHE: '0' }, { allowNon2xx: true })),
    measured('redisRateLimit, block cache', () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...reject, BENCH_ALGORITHM: 'sliding-window' }, { allowNon2xx: true })),
    measured('@fastify/rate-limit (Redis store)', () => httpReqPerSec('bench/servers/rate-limit-anchor.js', reject, { allowNon2xx: true })),
    { name: 'bare Fastify route (no limiter: the ceiling)', run: () => httpReqPerSec('bench/servers/bare.js', base) }
  ]
  try {
    const passing = await compare('allowed requests', 'req/s', allowedContenders)
    const rejected = await compare('rejected requests (limit 1)', 'req/s', rejectedContenders)
    return [
      table(passing, '@fastify/rate-limit (Redis store)'),
      workTable('allowed', allowedContenders.map(c => c.name)),
      table(rejected, 'redisRateLimit, no block cache'),
      workTable('rejected', rejectedContenders.slice(0, 3).map(c => c.name)),
      'Allowed path: limit 1e9 per 60 s, one key (all load from 127.0.0.1), so every request is one check and waits for one ' +
      'round trip. By default (standalone Redis) the checks of one-policy rules of one event-loop turn share one script ' +
      'call (`batch` option), written to the connection at once; "batch off" is one script call per request, like the anchor. ' +
      'Both servers use the same ioredis client settings (commandTimeout 1000 ms; auto-pipelining on unless BENCH_AUTOPIPELINE=0). ' +
      'Rejected path: the bare route (200, small JSON) bounds what any rejection can reach on this machine, since a 429 goes ' +
      'through the same Fastify reply path with a larger body and three more headers.'
    ]
  } finally {
    admin.disconnect()
  }
}

// Case "rate-limit": hook overhead with requests that pass (one round trip each, ours vs
// @fastify/rate-limit with its Redis store, same Redis, same client settings), and the rejected
// path with and without our local block cache.
import { compare, httpReqPerSec, table } from '../lib/harness.js'

export default async function rateLimitBench ({ redisUrl }) {
  const base = { BENCH_REDIS_URL: redisUrl, BENCH_AUTOPIPELINE: process.env.BENCH_AUTOPIPELINE ?? '1' }
  const pass = { ...base, BENCH_LIMIT: String(1e9) }
  const passing = await compare('allowed requests', 'req/s', [
    { name: '@fastify/rate-limit (Redis store)', run: () => httpReqPerSec('bench/servers/rate-limit-anchor.js', pass) },
    { name: 'redisRateLimit sliding-window', run: () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...pass, BENCH_ALGORITHM: 'sliding-window' }) },
    { name: 'redisRateLimit gcra', run: () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...pass, BENCH_ALGORITHM: 'gcra' }) },
    { name: 'redisRateLimit sliding-window, batch off', run: () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...pass, BENCH_ALGORITHM: 'sliding-window', BENCH_BATCH: '0' }) },
    { name: 'redisRateLimit gcra, batch off', run: () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...pass, BENCH_ALGORITHM: 'gcra', BENCH_BATCH: '0' }) },
    { name: 'redisRateLimit sliding-counter', run: () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...pass, BENCH_ALGORITHM: 'sliding-counter' }) },
    { name: 'redisRateLimit fixed-window', run: () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...pass, BENCH_ALGORITHM: 'fixed-window' }) }
  ])
  const reject = { ...base, BENCH_LIMIT: '1' }
  const rejected = await compare('rejected requests (limit 1)', 'req/s', [
    { name: 'redisRateLimit, no block cache', run: () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...reject, BENCH_ALGORITHM: 'sliding-window', BENCH_BLOCK_CACHE: '0' }, { allowNon2xx: true }) },
    { name: 'redisRateLimit, block cache', run: () => httpReqPerSec('bench/servers/rate-limit-ours.js', { ...reject, BENCH_ALGORITHM: 'sliding-window' }, { allowNon2xx: true }) },
    { name: '@fastify/rate-limit (Redis store)', run: () => httpReqPerSec('bench/servers/rate-limit-anchor.js', reject, { allowNon2xx: true }) }
  ])
  return [
    table(passing, '@fastify/rate-limit (Redis store)'),
    table(rejected, 'redisRateLimit, no block cache'),
    'Allowed path: limit 1e9 per 60 s, one key (all load from 127.0.0.1), so every request is one check and waits for one ' +
    'round trip. By default (standalone Redis) the checks of one-policy rules of one event-loop turn share one script ' +
    'call (`batch` option), written to the connection at once; "batch off" is one script call per request, like the anchor. ' +
    'Both servers use the same ioredis client settings (commandTimeout 1000 ms; auto-pipelining on unless BENCH_AUTOPIPELINE=0).'
  ]
}

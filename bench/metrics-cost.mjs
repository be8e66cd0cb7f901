// What registering the metrics plugin costs the hot routes (issue 17: ≥ 0.97x without it):
// `node bench/metrics-cost.mjs` runs the L1-hit cached route and the rate-limited route (allowed,
// sliding-window) without and with `redisMetrics`, alternately round by round on one dedicated
// redis-server, and prints medians, with / without, and rounds won. Needs `npm run build`.
// AB_ROUNDS (default 7) and BENCH_DURATION (seconds per round) set the length; COST_CASES picks cases
// (comma-separated ids: cache-l1, rate-limit, cache-l1-cpu, rate-limit-cpu).
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { benchRedis, fmt, httpReqPerSec } from './lib/harness.js'

const ROUNDS = Number(process.env.AB_ROUNDS ?? 7)
const here = fileURLToPath(new URL('.', import.meta.url))
const server = file => resolve(here, 'servers', file)
/**
 * Requests per CPU-second of this process for the server built in-process and driven by
 * app.inject (50 concurrent loops): the plugins' own cost per request, without the socket and the
 * load generator that share the 2 cores in the HTTP cases (steadier from round to round).
 */
async function cpuRate (file, env) {
  const { build } = await import(pathToFileURL(server(file)).href)
  const app = await build(env)
  try {
    const loop = async n => { for (let i = 0; i < n; i++) await app.inject({ method: 'GET', url: '/' }) }
    await Promise.all(Array.from({ length: 50 }, () => loop(40))) // warm-up
    const before = process.cpuUsage()
    await Promise.all(Array.from({ length: 50 }, () => loop(400)))
    const used = process.cpuUsage(before)
    return { value: 20_000 / ((used.user + used.system) / 1e6) }
  } finally {
    await app.close()
  }
}

const RATE_LIMIT = { BENCH_LIMIT: '1000000000', BENCH_ALGORITHM: 'sliding-window' }
const cases = {
  'cache-l1': { label: 'route cache, L1 hit, HTTP (req/s)', file: 'cache-route.js', env: {} },
  'rate-limit': { label: 'rate limit, allowed (sliding-window), HTTP (req/s)', file: 'rate-limit-ours.js', env: RATE_LIMIT },
  'cache-l1-cpu': { label: 'route cache, L1 hit, server CPU (req/CPU-s)', file: 'cache-route.js', env: {}, cpu: true },
  'rate-limit-cpu': { label: 'rate limit, allowed, server CPU (req/CPU-s)', file: 'rate-limit-ours.js', env: RATE_LIMIT, cpu: true }
}
const picked = process.env.COST_CASES === undefined ? Object.keys(cases) : process.env.COST_CASES.split(',')
const median = xs => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }

const redis = await benchRedis()
const rows = ['| route | without metrics (median) | with metrics (median) | with / without | rounds won by "with" |', '|---|---|---|---|---|']
try {
  for (const name of picked) {
    const c = cases[name]
    if (c === undefined) throw new Error(`unknown case ${name}; known: ${Object.keys(cases).join(', ')}`)
    const without = []
    const withMetrics = []
    let won = 0
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so drift within a round hits both alike.
      const order = round % 2 === 0 ? ['0', '1'] : ['1', '0']
      const got = {}
      for (const m of order) {
        const env = { BENCH_REDIS_URL: redis.url, ...c.env, BENCH_METRICS: m }
        got[m] = (c.cpu === true ? await cpuRate(c.file, env) : await httpReqPerSec(server(c.file), env)).value
        console.log(`  ${c.label} · round ${round + 1} · metrics ${m === '1' ? 'on' : 'off'}: ${fmt(got[m])} req/s`)
      }
      without.push(got['0'])
      withMetrics.push(got['1'])
      if (got['1'] > got['0']) won++
    }
    const a = median(without)
    const b = median(withMetrics)
    rows.push(`| ${c.label} | ${fmt(a)} | ${fmt(b)} | ${(b / a).toFixed(3)}x | ${won} of ${ROUNDS} |`)
  }
} finally {
  await redis.stop()
}
console.log(`\nmetrics plugin cost, ${ROUNDS} alternating rounds, median\n\n${rows.join('\n')}`)

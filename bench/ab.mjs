// A/B of two builds of this package: `node bench/ab.mjs <before-root> [<after-root>]` (default
// after: this tree). Both roots must have been built (`npm run build`) and have their own
// node_modules. Each case runs the two builds alternately, round by round, in one run on one
// dedicated redis-server, so machine drift hits both alike; the output is each case's medians,
// after / before, and how many rounds each build won. AB_CASES=session-rw,cache-l1 picks cases;
// AB_ROUNDS (default 7) and BENCH_DURATION (seconds per round) set the length.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Redis } from 'ioredis'
import { benchRedis, compare, fmt, httpReqPerSec, CONNECTIONS } from './lib/harness.js'
import { perConnection, sessionCookies } from './lib/session-jar.js'
import { abRoots } from './lib/ab-roots.js'
import { processRate } from './lib/queue-run.js'

const roots = abRoots('ab.mjs')
const ROUNDS = Number(process.env.AB_ROUNDS ?? 7)
const server = (root, file) => resolve(root, 'bench/servers', file)

/** One cookie per autocannon connection, made by that build's own session server. */
const buildCookies = (root, env) => sessionCookies(server(root, 'session-ours.js'), env, CONNECTIONS)

/** Jobs per second of one build's queue processing `n` no-op jobs with `concurrency`. */
async function queueRun (root, redisUrl, concurrency, n) {
  const { Queue, recommendedRedisOptions } = await import(pathToFileURL(resolve(root, 'dist/index.js')).href)
  const flusher = new Redis(redisUrl)
  await flusher.flushall()
  flusher.disconnect()
  const client = new Redis(redisUrl, recommendedRedisOptions({ enableAutoPipelining: false }))
  const queue = new Queue(client, `ab${Date.now()}`)
  try {
    return { value: await processRate(queue, concurrency, n) }
  } finally {
    await queue.close()
    client.disconnect()
  }
}

/**
 * Requests per CPU-second of this process for one build's session server driven in-process by
 * app.inject (50 concurrent loops, one session each): the plugin's own cost per request with the
 * socket and the load generator's share left out, so CPU steal and autocannon noise do not swamp
 * a few-percent difference. Higher is better, like the other cases.
 */
async function sessionCpu (root, env, path) {
  const cookies = await sessionCookies(server(root, 'session-ours.js'), env, 50)
  const { build } = await import(pathToFileURL(server(root, 'session-ours.js')).href)
  const app = await build(env)
  try {
    const loop = async (cookie, n) => {
      for (let i = 0; i < n; i++) {
        const res = await app.inject({ method: 'GET', url: path, headers: { cookie } })
        if (res.statusCode !== 200) throw new Error(`${root}: ${path} answered ${res.statusCode}`)
      }
    }
    await Promise.all(cookies.map(c => loop(c, 20))) // warm-up
    const perLoop = 200
    const before = process.cpuUsage()
    await Promise.all(cookies.map(c => loop(c, perLoop)))
    const used = process.cpuUsage(before)
    return { value: (cookies.length * perLoop) / ((used.user + used.system) / 1e6) }
  } finally {
    await app.close()
  }
}

/**
 * Requests per CPU-second of this process for one build's rate-limited server, driven in-process
 * by app.inject with every request but the first refused (limit 1; the block cache answers them
 * without Redis): the cost of the refusal path itself, as sessionCpu measures the session's.
 */
async function rejectedCpu (root, env) {
  const { build } = await import(pathToFileURL(server(root, 'rate-limit-ours.js')).href)
  const app = await build({ ...env, BENCH_LIMIT: '1', BENCH_ALGORITHM: 'sliding-window' })
  try {
    const loop = async n => {
      for (let i = 0; i < n; i++) {
        const res = await app.inject({ method: 'GET', url: '/' })
        if (res.statusCode !== 429 && res.statusCode !== 200) throw new Error(`${root}: answered ${res.statusCode}`)
      }
    }
    await Promise.all(Array.from({ length: 50 }, () => loop(40))) // warm-up
    const perLoop = 400
    const before = process.cpuUsage()
    await Promise.all(Array.from({ length: 50 }, () => loop(perLoop)))
    const used = process.cpuUsage(before)
    return { value: (50 * perLoop) / ((used.user + used.system) / 1e6) }
  } finally {
    await app.close()
  }
}

const cases = {
  'session-rw': { unit: 'req/s', setup: buildCookies, run: (root, env, jar) => httpReqPerSec(server(root, 'session-ours.js'), env, perConnection('/rw', jar)) },
  'session-r': { unit: 'req/s', setup: buildCookies, run: (root, env, jar) => httpReqPerSec(server(root, 'session-ours.js'), env, perConnection('/r', jar)) },
  'session-rw-cpu': { unit: 'req/CPU-s', run: (root, env) => sessionCpu(root, env, '/rw') },
  'session-r-cpu': { unit: 'req/CPU-s', run: (root, env) => sessionCpu(root, env, '/r') },
  'cache-l1': { unit: 'req/s', run: (root, env) => httpReqPerSec(server(root, 'cache-route.js'), env) },
  'cache-l2': { unit: 'req/s', run: (root, env) => httpReqPerSec(server(root, 'cache-route.js'), { ...env, BENCH_CACHE_L1: '0' }) },
  'rate-limit-sliding-window': { unit: 'req/s', run: (root, env) => httpReqPerSec(server(root, 'rate-limit-ours.js'), { ...env, BENCH_LIMIT: '1000000000', BENCH_ALGORITHM: 'sliding-window' }) },
  'rate-limit-gcra': { unit: 'req/s', run: (root, env) => httpReqPerSec(server(root, 'rate-limit-ours.js'), { ...env, BENCH_LIMIT: '1000000000', BENCH_ALGORITHM: 'gcra' }) },
  'rate-limit-rejected': { unit: 'req/s', run: (root, env) => httpReqPerSec(server(root, 'rate-limit-ours.js'), { ...env, BENCH_LIMIT: '1', BENCH_ALGORITHM: 'sliding-window' }, { allowNon2xx: true }) },
  'rate-limit-rejected-cpu': { unit: 'req/CPU-s', run: rejectedCpu },
  'queue-c100': { unit: 'jobs/s', run: (root, env) => queueRun(root, env.BENCH_REDIS_URL, 100, 20_000) },
  'queue-c1': { unit: 'jobs/s', run: (root, env) => queueRun(root, env.BENCH_REDIS_URL, 1, 4_000) }
}

const picked = process.env.AB_CASES === undefined ? Object.keys(cases) : process.env.AB_CASES.split(',')
const redis = await benchRedis()
const env = { BENCH_REDIS_URL: redis.url }
const rows = ['| case | before (median) | after (median) | after / before | rounds won by after |', '|---|---|---|---|---|']
try {
  for (const name of picked) {
    const c = cases[name]
    if (c === undefined) throw new Error(`unknown case ${name}; known: ${Object.keys(cases).join(', ')}`)
    const jars = {}
    for (const [build, root] of Object.entries(roots)) jars[build] = c.setup === undefined ? undefined : await c.setup(root, env)
    const r = await compare(name, c.unit, Object.entries(roots).map(([build, root]) => ({
      name: build,
      run: () => c.run(root, env, jars[build])
    })), { rounds: ROUNDS })
    const wins = r.samples.after.filter((v, i) => v > r.samples.before[i]).length
    const row = `| ${name} | ${fmt(r.medians.before)} ${c.unit} | ${fmt(r.medians.after)} ${c.unit} | ${(r.medians.after / r.medians.before).toFixed(3)}x | ${wins} of ${ROUNDS} |`
    rows.push(row)
    console.log(row)
  }
} finally {
  await redis.stop()
}
console.log(`\nA/B ${roots.before} → ${roots.after}, ${ROUNDS} alternating rounds, median of the rounds\n`)
console.log(rows.join('\n'))

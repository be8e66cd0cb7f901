// Bench harness: a dedicated redis-server, HTTP load through autocannon against a server in its
// own process, in-process op loops, medians and A/B ratios. Contenders run alternately, round by
// round, so drift on this shared 2-core machine hits each of them alike.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { startRedisServer } from '../../build/lib/dev/redis-server.js'

export const DURATION = Number(process.env.BENCH_DURATION ?? 10)
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)

export function median (xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * An ad-hoc contender argument `<label>=<server>[?ENV=V&...]` (bench/quick.mjs, bench/cpu-split.mjs):
 * its label, the server module path and the extra environment it runs with.
 */
export function parseContender (arg) {
  const i = arg.indexOf('=')
  const [file, query = ''] = arg.slice(i + 1).split('?')
  return { name: arg.slice(0, i), server: `bench/servers/${file}.js`, env: Object.fromEntries(new URLSearchParams(query)) }
}

/** Starts a private redis-server for the bench run (never the machine's 6379). */
export async function benchRedis (args = []) {
  return await startRedisServer({ args })
}

const serveScript = fileURLToPath(new URL('./serve.js', import.meta.url))

/**
 * Starts `serverModule` (a file exporting `build(env) => FastifyInstance`) in a child process,
 * drives it with autocannon for DURATION seconds, and returns requests per second.
 * `request` may set method, path, headers, body (autocannon request options).
 */
export async function httpReqPerSec (serverModule, env, request = {}) {
  const child = spawn(process.execPath, [serveScript, serverModule], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  try {
    const port = await new Promise((resolve, reject) => {
      let out = ''
      child.stdout.on('data', d => {
        out += d
        const m = /listening:(\d+)/.exec(out)
        if (m) resolve(Number(m[1]))
      })
      child.once('exit', code => reject(new Error(`bench server ${serverModule} exited with ${code}`)))
    })
    const url = `http://127.0.0.1:${port}`
    // Warm-up: JIT, connections, caches.
    const warm = await autocannon({ url, connections: CONNECTIONS, duration: 1, ...request })
    const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...request })
    if (result.non2xx > 0 && !request.allowNon2xx) {
      throw new Error(`${serverModule}: ${result.non2xx} non-2xx responses`)
    }
    // served: every request the server answered, warm-up included (for per-request Redis work).
    return { value: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors, served: warm.requests.total + result.requests.total }
  } finally {
    child.kill('SIGTERM')
  }
}

/**
 * Runs `op` with `concurrency` loops for DURATION seconds (after a short warm-up) and returns
 * operations per second.
 */
export async function opsPerSec (op, { concurrency = 50, duration = DURATION } = {}) {
  const runFor = async (seconds) => {
    let count = 0
    const end = performance.now() + seconds * 1000
    const loops = Array.from({ length: concurrency }, async (_, i) => {
      while (performance.now() < end) { await op(i); count++ }
    })
    const started = performance.now()
    await Promise.all(loops)
    return count / ((performance.now() - started) / 1000)
  }
  await runFor(Math.min(1, duration))
  return { value: await runFor(duration) }
}

/**
 * Runs every contender `rounds` times, alternating, and returns medians and ratios.
 * contenders: [{ name, run: async () => ({ value, ...extra }) }]
 */
export async function compare (title, unit, contenders, { rounds = ROUNDS } = {}) {
  const samples = Object.fromEntries(contenders.map(c => [c.name, []]))
  for (let r = 0; r < rounds; r++) {
    for (const c of (r % 2 ? [...contenders].reverse() : contenders)) {
      const res = await c.run()
      samples[c.name].push(res.value)
      console.log(`  ${title} · round ${r + 1} · ${c.name}: ${fmt(res.value)} ${unit}`)
    }
  }
  const medians = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]))
  return { title, unit, rounds, samples, medians }
}

export function fmt (n) {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)
}

/** A markdown table of medians and ratios of each contender to `base`. */
export function table (result, base) {
  const rows = [`| ${result.title} | median ${result.unit} | ratio vs ${base} |`, '|---|---|---|']
  for (const [name, v] of Object.entries(result.medians)) {
    rows.push(`| ${name} | ${fmt(v)} | ${(v / result.medians[base]).toFixed(2)}x |`)
  }
  return rows.join('\n')
}

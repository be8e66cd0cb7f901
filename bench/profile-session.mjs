// Ad-hoc: where the CPU of one session request goes. Per request: server process CPU, redis-server
// CPU, load generator CPU (µs, from /proc), and Redis commandstats (calls, usec_per_call).
// node bench/profile-session.mjs <server> <path> [seconds]   e.g. session-ours /rw 4
// PROF=<dir> also writes a --cpu-prof of the server process there. Run under flock -x like any bench.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { Redis } from 'ioredis'
import { benchRedis } from './lib/harness.js'

const [server = 'session-ours', path = '/rw', seconds = '4'] = process.argv.slice(2)
const TICK = 100 // clock ticks per second (getconf CLK_TCK)
const cpuOf = pid => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 1e6 / TICK }

const redis = await benchRedis()
const env = { ...process.env, BENCH_REDIS_URL: redis.url }
const r = new Redis(redis.url)
try {
  const { build } = await import(new URL(`./servers/${server}.js`, import.meta.url).href)
  const app = await build(env)
  const jar = []
  for (let i = 0; i < 50; i++) {
    const res = await app.inject({ method: 'POST', url: '/init' })
    const c = res.cookies.find(x => x.name === 'sid' || x.name === 'sessionId')
    jar.push(`${c.name}=${c.value}`)
  }
  await app.close()
  const child = spawn(process.execPath, [...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROF] : []), fileURLToPath(new URL('./lib/serve.js', import.meta.url)), `bench/servers/${server}.js`], { env, stdio: ['ignore', 'pipe', 'inherit'], execArgv: [] })
  const port = await new Promise(resolve => { let out = ''; child.stdout.on('data', d => { out += d; const m = /listening:(\d+)/.exec(out); if (m) resolve(Number(m[1])) }) })
  let next = 0
  const opts = { url: `http://127.0.0.1:${port}`, connections: 50, requests: [{ method: 'GET', path, setupRequest (req, ctx) { ctx.cookie ??= jar[next++ % jar.length]; return { ...req, headers: { ...req.headers, cookie: ctx.cookie } } } }] }
  await autocannon({ ...opts, duration: 1 })
  await r.config('RESETSTAT')
  const s0 = cpuOf(child.pid); const r0 = cpuOf(redis.pid); const a0 = process.cpuUsage()
  const res = await autocannon({ ...opts, duration: Number(seconds) })
  const s1 = cpuOf(child.pid); const r1 = cpuOf(redis.pid); const a1 = process.cpuUsage(a0)
  const n = res.requests.total
  const st = Object.fromEntries((await r.info('stats')).split('\r\n').filter(l => l.includes(':')).map(l => l.split(':')))
  const stats = (await r.info('commandstats')).split('\n').filter(l => l.startsWith('cmdstat_') && !l.includes('config') && !l.includes('info'))
  console.log(`${server} ${path}: ${Math.round(res.requests.average)} req/s non2xx=${res.non2xx} | µs/req server ${((s1 - s0) / n).toFixed(1)} redis ${((r1 - r0) / n).toFixed(1)} autocannon ${((a1.user + a1.system) / n).toFixed(1)} | redis reads/req ${(st.total_reads_processed / n).toFixed(3)} writes/req ${(st.total_writes_processed / n).toFixed(3)} in B/req ${(st.total_net_input_bytes / n).toFixed(0)} out B/req ${(st.total_net_output_bytes / n).toFixed(0)}`)
  for (const l of stats) { const m = /cmdstat_(\w+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(l); if (m) console.log(`  ${m[1]} calls/req=${(m[2] / n).toFixed(2)} usec_per_call=${m[4]} usec/req=${(m[3] / n).toFixed(2)}`) }
  child.kill('SIGTERM')
} finally { r.disconnect(); await redis.stop() }

// Ad-hoc: where a request's CPU goes. Per bench server, under the same autocannon load: CPU µs per
// request of the server process and of redis-server, and Redis INFO commandstats per request.
// node bench/cpu-split.mjs label=server?ENV=V ...   (PROF=1 also writes --cpu-prof files to /tmp/rlprof)
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { Redis } from 'ioredis'
import { benchRedis, parseContender } from './lib/harness.js'

const DURATION = Number(process.env.BENCH_DURATION ?? 4)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const TICK = 100 // clock ticks per second (Linux default)
const cpuOf = pid => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / TICK }

const redis = await benchRedis()
const admin = new Redis(redis.url)
const serve = fileURLToPath(new URL('./lib/serve.js', import.meta.url))
const redisPid = Number(await admin.info('server').then(s => /process_id:(\d+)/.exec(s)[1]))
try {
  for (const { name, server, env: extra } of process.argv.slice(2).map(parseContender)) {
    const env = { BENCH_REDIS_URL: redis.url, ...extra }
    const child = spawn(process.execPath, [...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-interval=100', '--cpu-prof-dir=/tmp/rlprof', `--cpu-prof-name=${name}.cpuprofile`] : []), serve, server], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    const port = await new Promise((resolve, reject) => {
      let out = ''
      child.stdout.on('data', d => { out += d; const m = /listening:(\d+)/.exec(out); if (m) resolve(Number(m[1])) })
      child.once('exit', c => reject(new Error('exit ' + c)))
    })
    const url = `http://127.0.0.1:${port}`
    await autocannon({ url, connections: CONNECTIONS, duration: 1 })
    await admin.config('resetstat')
    const s0 = cpuOf(child.pid); const r0 = cpuOf(redisPid); const c0 = process.cpuUsage()
    const res = await autocannon({ url, connections: CONNECTIONS, duration: DURATION })
    const s1 = cpuOf(child.pid); const r1 = cpuOf(redisPid); const c1 = process.cpuUsage(c0)
    const stats = await admin.info('commandstats')
    const n = res.requests.total
    const us = x => (x * 1e6 / n).toFixed(1)
    const cmds = stats.split('\n').filter(l => l.startsWith('cmdstat_') && !/cmdstat_(config|info)/.test(l))
      .map(l => { const m = /cmdstat_(\w+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(l); return `${m[1]} ${(Number(m[2]) / n).toFixed(2)}/req ${m[4]}us` })
    console.log(`${name}: n=${n} ${Math.round(res.requests.average)} req/s, cpu us/req server ${us(s1 - s0)} redis ${us(r1 - r0)} autocannon ${((c1.user + c1.system) / n).toFixed(1)} | ${cmds.join(', ')}`)
    child.kill('SIGTERM')
    await new Promise(resolve => child.once('exit', resolve))
  }
} finally { admin.disconnect(); await redis.stop() }

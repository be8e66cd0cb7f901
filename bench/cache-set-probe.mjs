// Probe for issue 22: the per-call cost of Cache.set (1 KiB JSON, l1 off, as in the scale bench)
// against a raw SET and the anchors, on a private redis-server on a free port (killed at the end).
// Prints client p50/p99 and ops/s, and the Redis-side INFO commandstats of each run (usec_per_call
// of EVALSHA vs SET is the server-side split). Needs `npm run build`.
// Usage: node bench/cache-set-probe.mjs [n=20000] [inFlight=32]; ONLY=raw,ours,dedupe,bento
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { createCache } from 'async-cache-dedupe'
import { BentoCache, bentostore } from 'bentocache'
import { redisDriver } from 'bentocache/drivers/redis'
import { Cache } from '../dist/lib/cache/cache.js'
import { clientOptions } from './scale/client.js'
import { product } from './scale/patterns/cache.js'

const N = Number(process.argv[2] ?? 20000)
const IN = Number(process.argv[3] ?? 32)
const port = await new Promise(resolve => { const s = createServer().listen(0, () => { const p = s.address().port; s.close(() => resolve(p)) }) })
const srv = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
const url = `redis://127.0.0.1:${port}`
const admin = new Redis(url)
admin.on('error', () => {}) // refused until the server listens: retried below
for (;;) { try { await admin.ping(); break } catch { await new Promise(resolve => setTimeout(resolve, 50)) } }

async function run (name, op) {
  for (let i = 0; i < 2000; i++) await op(i) // warm up
  await admin.config('RESETSTAT')
  const lat = new Float64Array(N)
  let next = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: IN }, async () => {
    while (next < N) { const i = next++; const s = performance.now(); await op(i); lat[i] = performance.now() - s }
  }))
  const dt = performance.now() - t0
  lat.sort()
  const stats = (await admin.info('commandstats')).split('\n').filter(l => /calls=/.test(l) && !/cmdstat_(config|info)/.test(l))
    .map(l => l.replace(/,rejected.*$/, '').trim())
  console.log(`${name.padEnd(22)} p50 ${lat[N >> 1].toFixed(3)} ms  p99 ${lat[Math.floor(N * 0.99)].toFixed(3)} ms  ${Math.round(N / dt * 1000)} ops/s`)
  for (const s of stats) console.log('   ', s)
}

const which = (process.env.ONLY ?? 'raw,ours,dedupe,bento').split(',')
const r1 = new Redis(url, clientOptions())
const json = i => JSON.stringify(product(i))
if (which.includes('raw')) await run('raw SET', i => r1.set(`raw:${i}`, json(i), 'PX', 3600000))
const r2 = new Redis(url, clientOptions())
const cache = new Cache(r2, { prefix: 'scale', ttl: 3600000, l1: false, earlyRefresh: 0, commandTimeout: 10000 })
await cache.ready
if (which.includes('ours')) await run('ours Cache.set', i => cache.set(`product:${i}`, product(i)))
const r3 = new Redis(url, clientOptions())
const dd = createCache({ ttl: 3600, storage: { type: 'redis', options: { client: r3 } } })
dd.define('product', async i => product(i))
if (which.includes('dedupe')) await run('async-cache-dedupe', i => dd.set('product', `product~${i}`, product(i), 3600))
const u = new URL(url); const r4 = { host: u.hostname, port: Number(u.port), ...clientOptions() }
const bento = new BentoCache({ default: 'c', stores: { c: bentostore().useL2Layer(redisDriver({ connection: r4 })) } })
if (which.includes('bento')) await run('bentocache', i => bento.set({ key: `product:${i}`, value: product(i), ttl: '3600s' }))
console.log('subscribers:', await admin.pubsub('NUMSUB', 'scale:bus'), (await admin.client('LIST')).split('\n').filter(Boolean).length, 'clients')
await cache.close(); await bento.disconnectAll(); await Promise.all([r1, r2, r3, admin].map(r => r.quit()))
srv.kill()

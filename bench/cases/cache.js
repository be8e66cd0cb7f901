// Case "cache": route cache vs bare Fastify and a hand-written GET route; in-process wrap vs
// bentocache and async-cache-dedupe; a cross-process stampede with fetcher calls counted.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { Redis } from 'ioredis'
import { BentoCache, bentostore } from 'bentocache'
import { memoryDriver } from 'bentocache/drivers/memory'
import { redisDriver, redisBusDriver } from 'bentocache/drivers/redis'
import { createCache } from 'async-cache-dedupe'
import autocannon from 'autocannon'
import { compare, httpReqPerSec, opsPerSec, table, median, fmt, ROUNDS } from '../lib/harness.js'
import { Cache } from '../../dist/lib/cache/cache.js'
import { recommendedRedisOptions } from '../../dist/lib/shared/connection.js'

const VALUE = { id: 1, name: 'Ada', tags: ['a', 'b'] }

async function routes (redisUrl) {
  const env = { BENCH_REDIS_URL: redisUrl }
  const a = await compare('(a) L1-hit route', 'req/s', [
    { name: 'bare Fastify route', run: () => httpReqPerSec('bench/servers/bare.js', env) },
    { name: 'redisCache route, L1 hit', run: () => httpReqPerSec('bench/servers/cache-route.js', env) }
  ])
  const b = await compare('(b) L2-hit route', 'req/s', [
    { name: 'hand-written GET + JSON.parse (our client settings)', run: () => httpReqPerSec('bench/servers/redis-get.js', { ...env, BENCH_CLIENT: 'recommended' }) },
    { name: 'hand-written GET + JSON.parse (auto-pipelining)', run: () => httpReqPerSec('bench/servers/redis-get.js', { ...env, BENCH_AUTOPIPELINE: '1' }) },
    { name: 'hand-written GET + JSON.parse (default ioredis)', run: () => httpReqPerSec('bench/servers/redis-get.js', env) },
    { name: 'redisCache route, L1 off (L2 hit)', run: () => httpReqPerSec('bench/servers/cache-route.js', { ...env, BENCH_CACHE_L1: '0' }) }
  ])
  // Two bases: the same route on our client settings (auto-pipelining plus a bounded command
  // timeout: only the plugin's work differs), and on auto-pipelining alone (no timer per command).
  return [table(a, 'bare Fastify route'), table(b, 'hand-written GET + JSON.parse (our client settings)'), table(b, 'hand-written GET + JSON.parse (auto-pipelining)')]
}

/** CPU time (user + system, ms) a process has used so far (Linux /proc). */
function cpuMs (pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(f[11]) + Number(f[12])) * 10
}

/**
 * Server CPU per request: a fixed number of requests, and the server process's CPU time. On a
 * shared, loaded machine req/s swings with the neighbours; CPU per request is far steadier.
 */
async function cpuPerRequest (serverModule, env, requests = 40_000) {
  const child = spawn(process.execPath, ['bench/lib/serve.js', serverModule], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const port = await new Promise((resolve, reject) => {
      child.stdout.on('data', d => { const m = /listening:(\d+)/.exec(String(d)); if (m) resolve(Number(m[1])) })
      child.once('exit', code => reject(new Error(`${serverModule} exited with ${code}`)))
    })
    const url = `http://127.0.0.1:${port}`
    await autocannon({ url, connections: 20, amount: 5000 })
    const before = cpuMs(child.pid)
    const res = await autocannon({ url, connections: 20, amount: requests })
    if (res.non2xx > 0) throw new Error(`${serverModule}: ${res.non2xx} non-2xx responses`)
    return (cpuMs(child.pid) - before) * 1000 / requests
  } finally {
    child.kill('SIGTERM')
  }
}

async function cpuTable (redisUrl) {
  const env = { BENCH_REDIS_URL: redisUrl }
  const contenders = [
    ['bare Fastify route', 'bench/servers/bare.js', env],
    ['redisCache route, L1 hit', 'bench/servers/cache-route.js', env],
    ['hand-written GET + JSON.parse (auto-pipelining)', 'bench/servers/redis-get.js', { ...env, BENCH_AUTOPIPELINE: '1' }],
    ['redisCache route, L1 off (L2 hit)', 'bench/servers/cache-route.js', { ...env, BENCH_CACHE_L1: '0' }]
  ]
  const samples = new Map(contenders.map(c => [c[0], []]))
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, file, e] of (r % 2 ? [...contenders].reverse() : contenders)) {
      const us = await cpuPerRequest(file, e)
      samples.get(name).push(us)
      console.log(`  (a/b) server CPU · round ${r + 1} · ${name}: ${us.toFixed(1)} µs/request`)
    }
  }
  const m = Object.fromEntries([...samples].map(([k, v]) => [k, median(v)]))
  const rows = ['| (a/b) server CPU per request, 40,000 requests, 20 connections | median µs CPU / request | throughput ratio implied |', '|---|---|---|']
  rows.push(`| bare Fastify route | ${fmt(m['bare Fastify route'])} | 1.00x |`)
  rows.push(`| redisCache route, L1 hit | ${fmt(m['redisCache route, L1 hit'])} | ${(m['bare Fastify route'] / m['redisCache route, L1 hit']).toFixed(2)}x vs bare |`)
  rows.push(`| hand-written GET + JSON.parse (auto-pipelining) | ${fmt(m['hand-written GET + JSON.parse (auto-pipelining)'])} | 1.00x |`)
  rows.push(`| redisCache route, L1 off (L2 hit) | ${fmt(m['redisCache route, L1 off (L2 hit)'])} | ${(m['hand-written GET + JSON.parse (auto-pipelining)'] / m['redisCache route, L1 off (L2 hit)']).toFixed(2)}x vs GET + JSON.parse |`)
  return [rows.join('\n')]
}

async function inProcess (redisUrl) {
  const u = new URL(redisUrl)
  // Every contender gets the same ioredis settings (auto-pipelining, command timeout): with a hot
  // key, each fill is one round trip and the client's per-command cost decides the rate.
  const connection = { host: u.hostname, port: Number(u.port), ...recommendedRedisOptions() }
  const oursRedis = new Redis(redisUrl, recommendedRedisOptions())
  const oursL2Redis = new Redis(redisUrl, recommendedRedisOptions())
  const ours = new Cache(oursRedis, { prefix: 'b1', ttl: 600_000, l1: { ttl: 600_000 }, earlyRefresh: 0 })
  const oursL2 = new Cache(oursL2Redis, { prefix: 'b2', ttl: 600_000, l1: false, earlyRefresh: 0 })
  await Promise.all([ours.ready, oursL2.ready])
  const bento = new BentoCache({
    default: 'c',
    stores: { c: bentostore().useL1Layer(memoryDriver({ maxItems: 10_000 })).useL2Layer(redisDriver({ connection })).useBus(redisBusDriver({ connection })) }
  })
  const bentoL2 = new BentoCache({ default: 'c', prefix: 'bl2', stores: { c: bentostore().useL2Layer(redisDriver({ connection })) } })
  const dedupeClient = new Redis(redisUrl, recommendedRedisOptions())
  const dedupe = createCache({ ttl: 600, storage: { type: 'redis', options: { client: dedupeClient } } })
  dedupe.define('hot', async () => VALUE)
  const fetch = async () => VALUE
  const l1 = await compare('(c1) wrap on a hot key, L1 path', 'ops/s', [
    { name: 'bentocache getOrSet (memory L1 + Redis L2 + bus)', run: () => opsPerSec(() => bento.getOrSet({ key: 'hot', factory: fetch, ttl: '10m' })) },
    { name: 'Cache.wrap (L1 + L2 + bus)', run: () => opsPerSec(() => ours.wrap('hot', fetch)) }
  ])
  const l2 = await compare('(c2) wrap on a hot key, L2 only', 'ops/s', [
    { name: 'bentocache getOrSet (Redis L2 only)', run: () => opsPerSec(() => bentoL2.getOrSet({ key: 'hot', factory: fetch, ttl: '10m' })) },
    { name: 'async-cache-dedupe (Redis storage)', run: () => opsPerSec(() => dedupe.hot(1)) },
    { name: 'Cache.wrap (l1: false)', run: () => opsPerSec(() => oursL2.wrap('hot', fetch)) }
  ])
  await Promise.all([ours.close(), oursL2.close(), bento.disconnectAll(), bentoL2.disconnectAll()])
  oursRedis.disconnect()
  oursL2Redis.disconnect()
  dedupeClient.disconnect()
  return [table(l1, 'bentocache getOrSet (memory L1 + Redis L2 + bus)'), table(l2, 'bentocache getOrSet (Redis L2 only)')]
}

async function startWorkers (lib, redisUrl, n, concurrency) {
  const workers = []
  for (let i = 0; i < n; i++) {
    const child = spawn(process.execPath, ['bench/servers/cache-stampede-worker.js', lib, redisUrl, String(concurrency)], { stdio: ['pipe', 'pipe', 'inherit'] })
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    workers.push({ child, next: async () => (await lines.next()).value })
  }
  for (const w of workers) if (await w.next() !== 'ready') throw new Error(`${lib} worker failed to start`)
  return workers
}

async function stampede (redisUrl) {
  const counter = new Redis(redisUrl)
  const rows = ['| (d) 1,000 concurrent cold reads over 4 processes | fetcher calls per cold key (each round) | reads answered |', '|---|---|---|']
  for (const lib of ['ours', 'bentocache', 'async-cache-dedupe']) {
    const workers = await startWorkers(lib, redisUrl, 4, 250)
    const calls = []
    let answered = 0
    for (let r = 0; r < ROUNDS; r++) {
      const key = `cold-${lib}-${r}-${Date.now()}`
      for (const w of workers) w.child.stdin.write(`go ${key}\n`)
      for (const w of workers) answered += Number((await w.next()).split(' ')[1])
      calls.push(Number(await counter.get(`stampede:calls:${key}`)))
    }
    for (const w of workers) w.child.stdin.write('exit\n')
    await Promise.all(workers.map(w => new Promise(resolve => w.child.once('exit', resolve))))
    const name = lib === 'ours' ? 'Cache.wrap (cross-instance lease)' : lib === 'bentocache' ? 'bentocache getOrSet' : 'async-cache-dedupe'
    rows.push(`| ${name} | ${calls.join(', ')} | ${answered} / ${ROUNDS * 1000} |`)
  }
  counter.disconnect()
  return [rows.join('\n')]
}

export default async function cache ({ redisUrl }) {
  return [
    ...await routes(redisUrl),
    ...await cpuTable(redisUrl),
    ...await inProcess(redisUrl),
    ...await stampede(redisUrl)
  ]
}

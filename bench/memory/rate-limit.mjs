// Memory probe (issue 22): Redis bytes per rate-limited client key, per algorithm and limit, next
// to @fastify/rate-limit 11 with its Redis store (the anchor), on the same Redis and with the same
// client ids (an hour's window: nothing expires during the probe). Deterministic: no timings, only what Redis holds once every client has made
// min(limit, requests) requests inside one window.
//
// Per contender and limit the database is flushed, MEMORY PURGE'd and `used_memory` (less the clients' buffers) read; then
// `clients` clients each make their requests (real checks through each library's own code), and the
// figure is the `used_memory` delta after another MEMORY PURGE, divided by the client count (so it
// includes the keyspace and expiry dictionaries' share, as a real deployment pays it). Beside it:
// the average MEMORY USAGE of sampled keys, Redis keys per client, keys without a TTL, and the
// type/encoding each client's state is kept in.
//
// Import `rateLimitMemory({ redisUrl })` (plain ESM, ioredis + dist/: run `npm run build` first),
// or run the CLI, which prints a markdown table:
//   node bench/memory/rate-limit.mjs [--redis-url URL] [--clients N] [--requests N] [--limits 10,100,1000]
// Without --redis-url it spawns a private redis-server on a free port. Never point it at a Redis
// that holds data: it runs FLUSHALL.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Redis } from 'ioredis'
import { delta } from './measure.mjs'
import { normalizeRule, RateLimiter } from '../../dist/lib/rate-limit/index.js'

const require = createRequire(import.meta.url)
const AnchorStore = require('@fastify/rate-limit/store/RedisStore.js')

export const ALGORITHMS = ['sliding-window', 'sliding-counter', 'gcra', 'fixed-window']
export const ANCHOR = '@fastify/rate-limit 11 (Redis store)'
/**
 * An hour: long enough that no key expires while the probe runs (a gcra bucket of 100 requests at
 * 1,000 per window empties in a tenth of the window).
 */
const WINDOW_MS = 3_600_000
/** Checks in flight at once while filling (the limiter batches them per event-loop turn). */
const IN_FLIGHT = 2000

/** Client i's id: an IPv4 address in 10.0.0.0/8, as a per-IP limit would key it. */
export function clientId (i) {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
}

/** Every key of the database (the probe's own, after FLUSHALL), by SCAN. */
async function allKeys (redis) {
  const keys = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000)
    cursor = next
    keys.push(...batch)
  } while (cursor !== '0')
  return keys
}

/** Keys count, keys without TTL, average MEMORY USAGE of up to `samples` keys and their type/encoding. */
async function inspect (redis, samples) {
  const keys = await allKeys(redis)
  const p = redis.pipeline()
  for (const k of keys) p.pttl(k)
  const ttls = await p.exec()
  const noTtl = ttls.filter(([, ttl]) => ttl < 0).length
  const sample = keys.slice(0, samples)
  const q = redis.pipeline()
  for (const k of sample) {
    q.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')
    q.type(k)
    q.call('OBJECT', 'ENCODING', k)
  }
  const r = (await q.exec()).map(([err, v]) => { if (err) throw err; return v })
  let usage = 0
  const shapes = new Set()
  for (let i = 0; i < sample.length; i++) {
    usage += Number(r[3 * i])
    shapes.add(`${r[3 * i + 1]}/${r[3 * i + 2]}`)
  }
  return { keys: keys.length, noTtl, memoryUsage: sample.length === 0 ? 0 : usage / sample.length, encoding: [...shapes].sort().join(', '), sampleKey: sample[0] }
}

/** Runs `hit(i)` `times` times for each of `clients` clients, IN_FLIGHT at once, round after round. */
async function fill (clients, times, hit) {
  for (let round = 0; round < times; round++) {
    for (let from = 0; from < clients; from += IN_FLIGHT) {
      const to = Math.min(clients, from + IN_FLIGHT)
      const pending = []
      for (let i = from; i < to; i++) pending.push(hit(i))
      await Promise.all(pending)
    }
  }
}

/** One measurement: flush, fill by `populate`, and the figures per client. */
async function measure (redis, clients, samples, populate, warm) {
  // A first pass loads the scripts and sizes the connections' buffers, so the figure holds only keys.
  const added = await delta(redis, populate, warm)
  const seen = await inspect(redis, samples)
  return {
    bytesPerClient: added / clients,
    memoryUsage: seen.memoryUsage,
    keysPerClient: seen.keys / clients,
    keysWithoutTtl: seen.noTtl,
    encoding: seen.encoding,
    sampleKey: seen.sampleKey
  }
}

/**
 * Bytes per rate-limited client for each algorithm of ours (default prefix, one policy of `limit`
 * per hour, keyed as the plugin's global hook keys a client IP) and the anchor (default key prefix, max `limit`, timeWindow 1 h), at each limit,
 * after min(limit, requests) allowed requests per client. Returns one row per contender and
 * limit: { contender, limit, requests, bytesPerClient, memoryUsage, keysPerClient,
 * keysWithoutTtl, encoding, sampleKey }.
 */
export async function rateLimitMemory ({ redisUrl, clients = 10_000, requests = 100, limits = [10, 100, 1000], algorithms = ALGORITHMS, samples = 200 } = {}) {
  const admin = new Redis(redisUrl)
  // Auto-pipelining: the anchor's checks then share writes as ours share batches (speed only).
  const client = new Redis(redisUrl, { enableAutoPipelining: true })
  const rows = []
  try {
    for (const limit of limits) {
      const times = Math.min(limit, requests)
      const store = new AnchorStore(false, false, client)
      const anchorHit = i => new Promise((resolve, reject) => {
        store.incr(clientId(i), (err, res) => { if (err) reject(err); else resolve(res) }, WINDOW_MS, limit)
      })
      rows.push({ contender: ANCHOR, limit, requests: times, ...await measure(admin, clients, samples, () => fill(clients, times, anchorHit), () => fill(Math.min(clients, IN_FLIGHT), 1, anchorHit)) })
      for (const algorithm of algorithms) {
        // As the plugin's global hook keys a client: scope `global|` and a scoped rule (its key
        // names no policy; lib/rate-limit/policy.ts RuleDefaults.scoped).
        const limiter = new RateLimiter(client, { blockCache: false, insurance: false })
        const rule = normalizeRule('policies', { limit, window: WINDOW_MS, algorithm }, { scoped: true })
        const hit = async i => {
          const r = await limiter.hit(`global|${clientId(i)}`, rule)
          if (!r.allowed) throw new Error(`${algorithm}: client ${i} refused below its limit`)
        }
        rows.push({ contender: algorithm, limit, requests: times, ...await measure(admin, clients, samples, () => fill(clients, times, hit), () => fill(Math.min(clients, IN_FLIGHT), 1, hit)) })
      }
    }
  } finally {
    client.disconnect()
    admin.disconnect()
  }
  return rows
}

/** The rows as a markdown table: bytes per client, and the ratio to the anchor at the same limit. */
export function markdownTable (rows) {
  const anchor = new Map(rows.filter(r => r.contender === ANCHOR).map(r => [r.limit, r.bytesPerClient]))
  const lines = [
    '| contender | limit | requests per client | bytes per client (INFO delta) | × anchor | MEMORY USAGE (avg) | keys per client | keys without TTL | type/encoding | sample key |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|'
  ]
  for (const r of rows) {
    const ratio = anchor.has(r.limit) ? (r.bytesPerClient / anchor.get(r.limit)).toFixed(2) : ''
    lines.push(`| ${r.contender} | ${r.limit} | ${r.requests} | ${r.bytesPerClient.toFixed(1)} | ${ratio} | ${r.memoryUsage.toFixed(1)} | ${r.keysPerClient} | ${r.keysWithoutTtl} | ${r.encoding} | \`${r.sampleKey}\` |`)
  }
  return lines.join('\n')
}

function parseArgs (argv) {
  const o = {}
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]]
    if (value === undefined) throw new Error(`${name} needs a value`)
    if (name === '--redis-url') o.redisUrl = value
    else if (name === '--clients') o.clients = Number(value)
    else if (name === '--requests') o.requests = Number(value)
    else if (name === '--limits') o.limits = value.split(',').map(Number)
    else if (name === '--algorithms') o.algorithms = value.split(',')
    else throw new Error(`unknown option ${name} (have --redis-url, --clients, --requests, --limits, --algorithms)`)
  }
  return o
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const o = parseArgs(process.argv.slice(2))
  let server = null
  if (o.redisUrl === undefined) {
    const { startRedisServer } = await import('../../build/lib/dev/redis-server.js')
    server = await startRedisServer()
    o.redisUrl = server.url
  }
  try {
    const rows = await rateLimitMemory(o)
    const version = await (async () => {
      const r = new Redis(o.redisUrl)
      try { return /^redis_version:(\S+)/m.exec(await r.info('server'))[1] } finally { r.disconnect() }
    })()
    console.log(`Redis ${version}; ${o.clients ?? 10_000} clients (ids 10.x.y.z, our keys as the plugin's global hook makes them); window 1 h; bytes per client = (used_memory - mem_clients_normal) delta after MEMORY PURGE / clients\n`)
    console.log(markdownTable(rows))
  } finally {
    await server?.stop()
  }
}

// Redis memory per entity, deterministic: the `INFO memory` delta of the data (used_memory minus
// client buffers) after `MEMORY PURGE`, between an empty server and the same server holding n
// entities, plus exact `MEMORY USAGE` (SAMPLES 0) of sampled keys. Shared by the session and queue
// probes of this directory. Each measurement starts from FLUSHALL: point it at a Redis of its own.
import { Redis } from 'ioredis'

/** Bytes of data Redis holds now (allocator purged, client buffers left out). */
export async function dataBytes (redis) {
  await redis.call('MEMORY', 'PURGE')
  const info = await redis.info('memory')
  const field = name => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)[1])
  return field('used_memory') - field('mem_clients_normal')
}

/**
 * Runs `fill()` on an emptied server and returns the data bytes it added. `warm()` runs first and
 * is flushed (it loads the scripts, whose cache FLUSHALL keeps, so they are not counted).
 */
export async function delta (redis, fill, warm) {
  if (warm) await warm()
  await redis.flushall()
  const before = await dataBytes(redis)
  await fill()
  return (await dataBytes(redis)) - before
}

/** Exact MEMORY USAGE of `key` (every element counted), 0 when absent. */
export async function usage (redis, key) {
  return Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0') ?? 0)
}

/** Keys matching `pattern` (SCAN; the probe's own server only), grouped by `classify(key)`: { class: { keys, bytes } }. */
export async function breakdown (redis, pattern, classify) {
  const out = {}
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    for (const k of keys) {
      const c = classify(k)
      const b = out[c] ??= { keys: 0, bytes: 0 }
      b.keys++
      b.bytes += await usage(redis, k)
    }
  } while (cursor !== '0')
  return out
}

/** A client for the probe (ioredis, no auto-pipelining, like the queue bench). */
export function client (redisUrl) {
  return new Redis(redisUrl, { maxRetriesPerRequest: null })
}

/** A markdown table of rows [label, ours, anchor] (bytes per entity). */
export function markdown (title, rows) {
  const lines = [`| ${title} | ours B/entity | anchor B/entity | ours / anchor |`, '|---|---|---|---|']
  for (const [label, ours, anchor] of rows) {
    lines.push(`| ${label} | ${Math.round(ours)} | ${Math.round(anchor)} | ${(ours / anchor).toFixed(2)}x |`)
  }
  return lines.join('\n')
}

/** The Redis URL of a CLI run: the first argument, or a redis-server started for the run. */
export async function cliRedis (arg) {
  if (arg !== undefined && /^redis:\/\//.test(arg)) return { url: arg, stop: async () => {} }
  const { benchRedis } = await import('../lib/harness.js')
  return await benchRedis()
}

/**
 * The CLI of a probe (`node bench/memory/<probe>.mjs [redis://…] [n] [--breakdown]`): prints
 * `table(url, n)` as markdown under `title`, and `breakdown(url, n)` with --breakdown.
 */
export async function runProbe (title, table, breakdownOf) {
  const args = process.argv.slice(2)
  const server = await cliRedis(args.find(a => a.startsWith('redis://')))
  const n = Number(args.find(a => /^\d+$/.test(a)) ?? 10_000)
  try {
    console.log(markdown(title, await table(server.url, n)))
    if (args.includes('--breakdown')) console.log(JSON.stringify(await breakdownOf(server.url, n), null, 1))
  } finally {
    await server.stop()
  }
}

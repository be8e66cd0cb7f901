// Scale bench measurements: Redis bytes per entity (INFO memory delta and MEMORY USAGE samples)
// and client-side latency percentiles of one operation on random existing entities.

/** used_memory after MEMORY PURGE (jemalloc returns its dirty pages first, so deltas are stable). */
export async function usedMemory (redis) {
  await redis.call('MEMORY', 'PURGE')
  const info = await redis.info('memory')
  return Number(/^used_memory:(\d+)/m.exec(info)[1])
}

/** A small seeded PRNG (mulberry32): the same entities are picked in every run. */
export function prng (seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * MEMORY USAGE per entity: the shared keys (a queue's lists, a board's sorted set) measured whole
 * with SAMPLES 0, plus the mean of up to `samples` per-entity keys (found by RANDOMKEY) times the
 * count of per-entity keys. `shared` are exact names learned from a small probe fill.
 */
export async function memoryUsagePerEntity (redis, n, shared, samples = 1000) {
  // n: the entities present, or null to count one per per-entity key (a queue's job hashes, whose
  // number the measured adds and fetches have moved since the fill).
  const dbsize = await redis.dbsize()
  const sharedSet = new Set(shared)
  let sharedBytes = 0
  let sharedPresent = 0
  for (const k of shared) {
    const b = await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')
    if (b !== null) { sharedBytes += Number(b); sharedPresent++ }
  }
  const perEntityKeys = dbsize - sharedPresent
  let sum = 0
  let count = 0
  if (perEntityKeys > 0) {
    const seen = new Set()
    for (let tries = 0; tries < samples * 3 && count < samples && seen.size < perEntityKeys; tries += 100) {
      const p = redis.pipeline()
      for (let i = 0; i < 100; i++) p.randomkey()
      for (const [, k] of await p.exec()) {
        if (k === null || sharedSet.has(k) || seen.has(k)) continue
        seen.add(k)
      }
      const batch = [...seen].slice(count, samples)
      if (batch.length === 0) continue
      const q = redis.pipeline()
      for (const k of batch) q.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')
      for (const [, b] of await q.exec()) if (b !== null) { sum += Number(b); count++ }
    }
  }
  const perKey = count === 0 ? 0 : sum / count
  return { bytes: (sharedBytes + perKey * perEntityKeys) / (n ?? perEntityKeys), sampled: count, dbsize, sharedPresent }
}

/** Keys of the database, by KEYS: only ever called on a probe database of a few dozen keys. */
export async function probeKeys (redis) {
  return (await redis.keys('*')).sort()
}

function percentile (sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]
}

/**
 * Runs `op(pick())` `ops` times with `concurrency` calls in flight and returns p50/p99 in ms,
 * timed client-side around each call (performance.now()).
 */
export async function latency (op, pick, { ops, concurrency }) {
  const lat = new Float64Array(ops)
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (;;) {
      const i = next++
      if (i >= ops) return
      const arg = pick()
      const t = performance.now()
      await op(arg)
      lat[i] = performance.now() - t
    }
  }))
  lat.sort()
  return { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) }
}

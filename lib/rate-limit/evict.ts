// Room in a full in-process map (the block cache, the insurance limiter), made in batches: drop
// the expired entries, then the oldest inserted (a Map iterates in insertion order) down to 90%
// of the cap. One sweep is O(size), and it frees at least a tenth of the cap, so the inserts that
// follow find room without sweeping: O(1) amortised. Evicting only down to the cap (the earlier
// way) swept the whole map on every new key once it was full: 339 µs per newly blocked client at
// the default 10,000 keys, capping an instance at ~3,000 new attackers a second (issue 22 review).

/** Makes room in `map` (at or over `maxKeys`) for new keys; `expired(v)` says which can go first. */
export function evictBatch<K, V> (map: Map<K, V>, maxKeys: number, expired: (v: V) => boolean): void {
  for (const [k, v] of map) if (expired(v)) map.delete(k)
  const target = maxKeys - Math.max(1, Math.floor(maxKeys / 10))
  if (map.size <= target) return
  const it = map.keys()
  while (map.size > target) {
    const k = it.next()
    if (k.done === true) break
    map.delete(k.value)
  }
}

// Regression (issue 22's review of hot paths for hidden O(N)): a full block cache or insurance map
// swept every entry on each new key (339 µs per newly blocked client at 10,000 keys). evictBatch
// frees a tenth of the cap per sweep, so the next inserts find room without one.
import { test } from 'tap'
import { evictBatch } from '../../lib/rate-limit/evict.js'

test('a full map loses its expired entries, then its oldest, down to 90% of the cap', async t => {
  const map = new Map<number, { until: number }>()
  for (let i = 0; i < 1000; i++) map.set(i, { until: i % 100 === 0 ? 0 : 10 })
  evictBatch(map, 1000, v => v.until <= 5)
  t.equal(map.size, 900, 'room for 100 new keys')
  t.notOk([...map.keys()].some(k => k % 100 === 0), 'the expired ones went first')
  t.equal(Math.min(...map.keys()), 91, 'then the oldest (insertion order): 10 expired, then keys 1..90')

  let sweeps = 0
  const counted = new Map<number, number>()
  for (let i = 0; i < 10_000; i++) {
    if (counted.size >= 1000) { sweeps++; evictBatch(counted, 1000, () => false) }
    counted.set(i, i)
  }
  t.ok(sweeps <= 100, `10,000 inserts into a full 1,000-key map swept ${sweeps} times, not once per insert`)
  t.ok(counted.size <= 1000)
  t.ok(counted.has(9999), 'the newest key is kept')

  const tiny = new Map([[1, 1], [2, 2]])
  evictBatch(tiny, 2, () => false)
  t.strictSame([...tiny.keys()], [2], 'a tiny cap still frees one slot')
})

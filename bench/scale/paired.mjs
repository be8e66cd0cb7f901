// `node bench/scale/paired.mjs <pattern> '<contender name>' [N] [subset]` (after `npm run build`
// and `npm run build:app`): a diagnostic for a "not met" row of the scale case on a loaded
// machine. One private server holds N entities (default 1M) of one contender; each hot op runs on
// random entities of all N and of the first `subset` (default 100k) only, in alternating rounds,
// so load drift hits both alike. A gap between the two is a working-set effect (which keys are
// touched); equal figures mean the row was noise, or a cost that grows with N itself (a full
// scan costs the same for both): that is what the scale case's 100k-vs-1M rows are for.
import { Redis } from 'ioredis'
import { startRedisServer } from '../../build/lib/dev/redis-server.js'
import { latency, prng } from './measure.js'
const [pattern, name] = [process.argv[2], process.argv[3]]
const N = Number(process.argv[4] ?? 1_000_000)
const SUBSET = Number(process.argv[5] ?? 100_000)
const s = await startRedisServer()
const admin = new Redis(s.url)
await admin.config('SET', 'save', '')
const m = await import(`./patterns/${pattern}.js`)
const c = m.contenders.find(x => x.name === name)
if (c === undefined) throw new Error(`no contender "${name}" (have: ${m.contenders.map(x => x.name).join('; ')})`)
const inst = await c.open(s.url)
const t = performance.now()
await inst.fill(0, N)
console.log(name, 'filled', N, ((performance.now() - t) / 1000).toFixed(1), 's')
const rand = prng(1)
for (const op of Object.keys(inst.ops)) {
  if (inst.ops[op] === null) continue // measured by the case's own loop (a queue's fetch+complete)
  for (let r = 0; r < 4; r++) {
    const line = []
    for (const [label, n] of r % 2 ? [[`first ${SUBSET}`, SUBSET], [`all ${N}`, N]] : [[`all ${N}`, N], [`first ${SUBSET}`, SUBSET]]) {
      const res = await latency(inst.ops[op], () => Math.floor(rand() * n), { ops: 10_000, concurrency: 32 })
      line.push(`${label} p50 ${res.p50.toFixed(3)} p99 ${res.p99.toFixed(3)}`)
    }
    console.log(op, r, line.join(' | '))
  }
}
await inst.close(); admin.disconnect(); await s.stop()

// `npm run chaos [-- --duration 2m --topology sentinel|cluster --seed N --faults a,b --replicas N]`: runs the chaos soak and
// prints its table; exits 1 when an invariant broke. Started by scripts/chaos.mjs.
import { parseArgs } from 'node:util'
import { optDuration, optEnum, optInt } from '../lib/shared/options.js'
import { newSeed } from './random.js'
import { renderReport } from './report.js'
import { runSoak } from './soak.js'
import { TOPOLOGIES } from './topology.js'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '2m' },
    topology: { type: 'string', default: 'sentinel' },
    seed: { type: 'string' },
    faults: { type: 'string' },
    replicas: { type: 'string' }
  }
})
const durationMs = optDuration('--duration', /^\d+$/.test(values.duration) ? Number(values.duration) * 1000 : values.duration, 120_000, 5000)
const topology = optEnum('--topology', values.topology, TOPOLOGIES, 'sentinel')
const seed = values.seed === undefined ? newSeed() : Number(values.seed)
if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got ${values.seed}`)

console.error(`# chaos soak: ${topology}, ${durationMs / 1000} s of faults, seed ${seed}`)
const replicas = values.replicas === undefined ? undefined : optInt('--replicas', Number(values.replicas), 1, 1)
const faults = values.faults?.split(',').map(f => f.trim()).filter(f => f !== '')
const report = await runSoak({ topology, durationMs, seed, faults, replicas, log: line => console.error(line) })
console.log(renderReport(report))
process.exitCode = report.ok ? 0 : 1

// Case "lock-handoff": cross-process handoff of one hot lock. PROCS child processes
// (bench/lock-handoff-child.mjs) each do TURNS locked read-modify-write increments of one counter
// (GET, ~WORK_MS busy, SET + 1), with our Locker or redlock 4.2, on the same Redis; contenders
// alternate round by round. Throughput is timed from the first acquire to the last release;
// fairness: the p99 wait per acquisition, and the spread of acquisitions per process (per tenth
// of the run, min/max across processes; and when each process finished its last turn).
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { compare, table, median, fmt, ROUNDS } from '../lib/harness.js'

const PROCS = Number(process.env.BENCH_HANDOFF_PROCS ?? 6)
const TURNS = Number(process.env.BENCH_HANDOFF_TURNS ?? 100)
const WORK_MS = Number(process.env.BENCH_HANDOFF_WORK_MS ?? 1)
const WINDOWS = 10
// The Locker's `burst` for the "Locker, burst" contender (0: leave that contender out).
const BURST = Number(process.env.BENCH_HANDOFF_BURST ?? 8)
// BENCH_HANDOFF_BASELINE=<dist dir relative to bench/, e.g. ../dist-main>: also runs that build of
// the Locker, alternating with the others (an A/B of two versions on the same Redis).
const BASELINE = process.env.BENCH_HANDOFF_BASELINE
const child = fileURLToPath(new URL('../lock-handoff-child.mjs', import.meta.url))

function p99 (xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]
}

let round = 0
/** One run: PROCS children on a fresh key; resolves with the figures (and checks the counter). */
async function run (impl, redisUrl) {
  const key = `h${++round}-${impl}`
  const env = impl === 'baseline' ? { ...process.env, LOCK_DIST: BASELINE } : process.env
  const procs = Array.from({ length: PROCS }, () => spawn(process.execPath, [child, impl === 'baseline' ? 'ours' : impl, redisUrl, key, String(TURNS), String(WORK_MS)], { stdio: ['pipe', 'pipe', 'inherit'], env }))
  const lines = procs.map(p => new Promise((resolve, reject) => {
    let out = ''
    const ready = []
    p.stdout.on('data', d => {
      out += d
      for (;;) {
        const i = out.indexOf('\n')
        if (i < 0) break
        const line = out.slice(0, i)
        out = out.slice(i + 1)
        if (line === 'ready') ready.push(line)
        else resolve(JSON.parse(line))
      }
      if (ready.length === 1 && p.readyResolve) { p.readyResolve(); p.readyResolve = null }
    })
    p.once('exit', code => { if (code !== 0) reject(new Error(`lock-handoff child exited with ${code}`)) })
  }))
  await Promise.all(procs.map(p => new Promise(resolve => { p.readyResolve = resolve })))
  for (const p of procs) p.stdin.write('go\n')
  const results = await Promise.all(lines)
  const admin = new Redis(redisUrl)
  const counter = Number(await admin.get(`${key}:counter`))
  admin.disconnect()
  if (counter !== PROCS * TURNS) throw new Error(`${impl}: counter ${counter}, expected ${PROCS * TURNS}: mutual exclusion broken`)
  const first = Math.min(...results.map(r => r.starts[0]))
  const last = Math.max(...results.map(r => r.done))
  const span = last - first
  const waits = results.flatMap(r => r.ends.map((e, i) => e - r.starts[i]))
  // Acquisitions per process in each tenth of the run: the smallest and largest share seen.
  const perWindow = Array.from({ length: WINDOWS }, (_, w) => results.map(r => r.ends.filter(e => Math.min(WINDOWS - 1, Math.floor((e - first) / span * WINDOWS)) === w).length))
  const finish = results.map(r => (r.done - first) / span).sort((a, b) => a - b)
  return {
    value: (PROCS * TURNS) / (span / 1000),
    p99: p99(waits),
    medianWait: median(waits),
    // Over the middle windows (the first and last are partial by nature): min and max turns of a process.
    windowMin: Math.min(...perWindow.slice(1, -1).flat()),
    windowMax: Math.max(...perWindow.slice(1, -1).flat()),
    firstDone: finish[0]
  }
}

export default async function lockHandoff ({ redisUrl }) {
  const names = { ours: 'fastify-redis-patterns Locker', redlock4: 'redlock 4.2 (retryCount -1, else defaults)' }
  if (BURST > 1) names[`ours-burst-${BURST}`] = `Locker, burst: ${BURST}`
  if (BASELINE !== undefined) names.baseline = `Locker, build ${BASELINE}`
  const extra = Object.fromEntries(Object.keys(names).map(k => [k, []]))
  const result = await compare(`${PROCS} processes x ${TURNS} locked increments of one key (~${WORK_MS} ms inside)`, 'locked ops/s',
    Object.entries(names).map(([impl, name]) => ({
      name,
      run: async () => {
        const r = await run(impl, redisUrl)
        extra[impl].push(r)
        console.log(`    p99 wait ${fmt(r.p99)} ms, per-tenth turns of a process ${r.windowMin}..${r.windowMax}, first process done at ${(r.firstDone * 100).toFixed(0)}% of the run`)
        return r
      }
    })), { rounds: ROUNDS })
  const med = (impl, f) => median(extra[impl].map(f))
  const fairness = [
    '| fairness | median p99 wait (ms) | median wait (ms) | turns of one process per tenth of the run, min..max (median over runs) | first process done at (median, % of the run) |',
    '|---|---|---|---|---|',
    ...Object.entries(names).map(([impl, name]) =>
      `| ${name} | ${fmt(med(impl, r => r.p99))} | ${fmt(med(impl, r => r.medianWait))} | ${med(impl, r => r.windowMin)}..${med(impl, r => r.windowMax)} | ${(med(impl, r => r.firstDone) * 100).toFixed(0)}% |`)
  ]
  return [
    table(result, names.redlock4),
    fairness.join('\n'),
    `Each of ${PROCS} child processes (bench/lock-handoff-child.mjs) connects and warms up, then all start together; ` +
    `each does ${TURNS} turns of acquire, GET counter, ${WORK_MS} ms busy, SET counter + 1, release on one key. ` +
    `Throughput = ${PROCS * TURNS} / (last release − first acquire); the counter is checked to be exactly ${PROCS * TURNS}. ` +
    'A fair lock keeps every process at about 1/' + PROCS + ' of the turns in every tenth of the run (and finishes them together, near 100%); ' +
    'an unfair one lets a process run its turns back to back (min 0 in some tenths, early finishers). ' +
    `Locker: defaults (fenced), waitTimeout 120 s; "burst: ${BURST}": the same with the \`burst\` option (a lock re-acquired in the event-loop turn it was released in is reused, up to ${BURST} leases in a row, then handed to the next process in line). redlock 4.2: retryCount -1 (the default 10 retries would fail turns), retryDelay 200, retryJitter 100 (defaults).`
  ]
}

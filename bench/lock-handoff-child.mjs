// One process of the "lock-handoff" bench case (bench/cases/lock-handoff.js): `TURNS` locked
// read-modify-write increments of one counter (GET, ~WORK_MS of busy work, SET counter + 1) under
// one lock, with our Locker or redlock 4.2. Connects and warms up first, then waits for "go" on
// stdin, so the parent times from the first acquire, not from process start. Reports, on stdout as
// JSON, every acquisition's start and end (epoch ms, sub-ms precision) for the parent's figures.
import { Redis } from 'ioredis'
import Redlock4 from 'redlock'

// LOCK_DIST: another build of this package to run as "ours" (an A/B against an older commit).
const { Locker } = await import(new URL(`${process.env.LOCK_DIST ?? '../dist'}/lib/lock/locker.js`, import.meta.url).href)

const [impl, url, key, turnsArg, workArg] = process.argv.slice(2)
const TURNS = Number(turnsArg)
const WORK_MS = Number(workArg)
const TTL = 30_000
const now = () => performance.timeOrigin + performance.now()

// The same client options for both contenders (as the "lock" case: auto-pipelining, commandTimeout).
const redis = new Redis(url, { enableAutoPipelining: true, commandTimeout: 5000 })
let acquire
let close = async () => {}
if (impl.startsWith('ours')) {
  // A new user's Locker: defaults (fenced, waitTimeout raised so 600 turns on one key fit).
  // ours-burst-<n>: the same with `burst: n` (a re-acquire in the same event-loop turn reuses the lock).
  const burst = impl.startsWith('ours-burst-') ? Number(impl.slice('ours-burst-'.length)) : 1
  const locker = new Locker(redis, { prefix: 'bench-handoff', ttl: TTL, waitTimeout: 120_000, burst })
  acquire = async k => { const lease = await locker.acquire(k); return () => lease.release() }
  close = () => locker.close()
} else {
  // redlock 4.2 defaults (retryDelay 200, retryJitter 100, driftFactor 0.01) except retryCount:
  // -1, so a waiter keeps trying (the default 10 retries would fail turns of this workload).
  const redlock = new Redlock4([redis], { retryCount: -1 })
  redlock.on('clientError', () => {})
  acquire = async k => { const lock = await redlock.lock(`bench-handoff:${k}`, TTL); return () => lock.unlock() }
}

const counter = `${key}:counter`
function busy (ms) { const end = performance.now() + ms; while (performance.now() < end); }

// Warm-up: connection, script cache, JIT (on a key of our own).
for (let i = 0; i < 5; i++) {
  const release = await acquire(`${key}:warm:${process.pid}`)
  await release()
}

process.stdout.write('ready\n')
await new Promise(resolve => process.stdin.once('data', resolve))

const starts = []
const ends = []
for (let i = 0; i < TURNS; i++) {
  starts.push(now())
  const release = await acquire(key)
  ends.push(now())
  const v = Number(await redis.get(counter) ?? 0)
  busy(WORK_MS)
  await redis.set(counter, v + 1)
  await release()
}
const done = now()
await close()
redis.disconnect()
// Exit once the figures are written: stdin (the "go" pipe) would keep the process, and so the
// parent's pipes and the whole bench run, alive.
process.stdout.write(JSON.stringify({ pid: process.pid, starts, ends, done }) + '\n', () => process.exit(0))

// Case "lock": acquire+release throughput (fenced, and with `fencing: false`) against redlock 4.2
// (npm latest), redlock 5 beta and a raw SET NX PX + Lua compare-and-delete loop; then 50 callers contending for 10 keys, each
// needing a fixed number of turns (wake-on-release vs redlock's retry delay).
import { Redis } from 'ioredis'
import Redlock4 from 'redlock'
import Redlock5 from 'redlock5'
import { Locker } from '../../dist/lib/lock/locker.js'
import { compare, opsPerSec, table, median, fmt, DURATION } from '../lib/harness.js'

const TTL = 30_000
const CALLERS = 50
const KEYS = 10
const TURNS = Number(process.env.BENCH_LOCK_TURNS ?? 20)

const UNLOCK = 'if redis.call(\'GET\', KEYS[1]) == ARGV[1] then return redis.call(\'DEL\', KEYS[1]) end return 0'

function client (url) {
  // Same client and options for every contender: ioredis 6 with auto-pipelining and a command
  // timeout (as recommendedRedisOptions() sets; the Locker then adds no timer of its own).
  const c = new Redis(url, { enableAutoPipelining: true, commandTimeout: 1000 })
  c.defineCommand('rawUnlock', { numberOfKeys: 1, lua: UNLOCK })
  return c
}

function contenders (url) {
  const clients = []
  const mk = () => { const c = client(url); clients.push(c); return c }
  const ours = new Locker(mk(), { prefix: 'bench', ttl: TTL })
  const unfenced = new Locker(mk(), { prefix: 'bench', ttl: TTL, fencing: false })
  const r4 = new Redlock4([mk()], { retryCount: -1 }) // defaults otherwise: 200 ms delay ± 100 ms
  const r5 = new Redlock5([mk()], { retryCount: -1 }) // defaults otherwise: 200 ms delay ± 100 ms
  const raw = mk()
  let n = 0
  return {
    clients,
    ours,
    unfenced,
    uncontended: {
      ours: async key => { const lease = await ours.acquire(key); await lease.release() },
      unfenced: async key => { const lease = await unfenced.acquire(key); await lease.release() },
      raw: async key => {
        const token = `${process.pid}:${++n}:${Math.random()}`
        if (await raw.set(key, token, 'PX', TTL, 'NX') !== 'OK') throw new Error('raw: lock taken')
        await raw.rawUnlock(key, token)
      },
      redlock4: async key => { const lock = await r4.lock(key, TTL); await lock.unlock() },
      redlock5: async key => { const lock = await r5.acquire([key], TTL); await lock.release() }
    },
    // acquire (waiting for the turn) → returns release()
    contended: {
      ours: async key => { const lease = await ours.acquire(key, { waitTimeout: 600_000 }); return () => lease.release() },
      redlock4: async key => { const lock = await r4.lock(key, TTL); return () => lock.unlock() },
      redlock5: async key => { const lock = await r5.acquire([key], TTL); return () => lock.release() }
    },
    counter: raw
  }
}

let round = 0
async function contendedRun (c, name, waits) {
  const prefix = `c${++round}:${name}`
  const started = performance.now()
  await Promise.all(Array.from({ length: CALLERS }, async (_, i) => {
    const key = `${prefix}:${i % KEYS}`
    for (let t = 0; t < TURNS; t++) {
      const before = performance.now()
      const release = await c.contended[name](key)
      waits.push(performance.now() - before)
      await c.counter.incr(`${key}:work`) // the critical section: one Redis write
      await release()
    }
  }))
  return { value: (CALLERS * TURNS) / ((performance.now() - started) / 1000) }
}

function p99 (xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]
}

export default async function lock ({ redisUrl }) {
  const c = contenders(redisUrl)
  try {
    const names = (process.env.BENCH_LOCK_UNCONTENDED ?? 'ours,unfenced,raw,redlock4,redlock5').split(',')
    const labels = { ours: 'fastify-redis-patterns Locker', unfenced: 'Locker, fencing: false', raw: 'raw SET NX PX + Lua delete', redlock4: 'redlock 4.2', redlock5: 'redlock 5.0.0-beta.2' }
    const unc = await compare(`uncontended acquire+release, ${CALLERS} callers on own keys`, 'ops/s', names.map(name => ({
      name: labels[name],
      run: () => opsPerSec(i => c.uncontended[name](`u:${name}:${i}`), { concurrency: CALLERS })
    })))

    const waits = { ours: [], redlock4: [], redlock5: [] }
    const p99s = { ours: [], redlock4: [], redlock5: [] }
    const cnames = ['ours', 'redlock4', 'redlock5']
    const clabels = { ours: 'Locker (wake on release)', redlock4: 'redlock 4.2 (retry 200±100 ms)', redlock5: 'redlock 5 beta (retry 200±100 ms)' }
    if (process.env.BENCH_LOCK_CONTENDED === '0') return [table(unc, labels.raw)]
    const con = await compare(`contended: ${CALLERS} callers on ${KEYS} keys, ${TURNS} turns each`, 'acquisitions/s', cnames.map(name => ({
      name: clabels[name],
      run: async () => {
        const w = []
        const res = await contendedRun(c, name, w)
        waits[name].push(...w)
        p99s[name].push(p99(w))
        return res
      }
    })))

    const waitRows = [
      '| contended wait per acquisition | median p99 wait (ms) | median wait (ms) | p99 ratio vs Locker |',
      '|---|---|---|---|',
      ...cnames.map(n => `| ${clabels[n]} | ${fmt(median(p99s[n]))} | ${fmt(median(waits[n]))} | ${(median(p99s[n]) / median(p99s.ours)).toFixed(2)}x |`)
    ]
    return [
      ...(names.includes('redlock4') ? [table(unc, labels.redlock4)] : []),
      table(unc, labels.raw),
      table(con, clabels.redlock4),
      waitRows.join('\n'),
      `Uncontended: ${CALLERS} concurrent loops, each on its own key, ${DURATION} s per run. Contended: every caller must ` +
      `complete ${TURNS} turns (acquire, one INCR, release); throughput = ${CALLERS * TURNS} acquisitions / wall time. ` +
      'All contenders use the same ioredis 6 client options (auto-pipelining on, commandTimeout 1000) against the same redis-server.'
    ]
  } finally {
    await c.ours.close()
    await c.unfenced.close()
    for (const cl of c.clients) cl.disconnect()
  }
}

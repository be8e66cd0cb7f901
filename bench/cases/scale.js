// Case "scale" (issue 22): Redis bytes per entity and hot-operation latency at 100k and 1M
// entities (BENCH_SCALE_SIZES), ours vs the anchors, one contender at a time on the same Redis
// (FLUSHALL between contenders). Per contender: fill to the first size, measure memory, then
// latency; fill on to the next size, and again. Memory: used_memory delta over the fill (after
// MEMORY PURGE) per entity added, MEMORY USAGE (SAMPLES 0) of ~1,000 random per-entity keys plus
// the shared keys whole, Redis keys per entity. Latency: client-side, per call, CONCURRENCY calls in
// flight on random existing entities; p50/p99 per round, median of ROUNDS rounds.
import { totalmem } from 'node:os'
import { Redis } from 'ioredis'
import { fmt, median } from '../lib/harness.js'
import { latency, memoryUsagePerEntity, probeKeys, prng, usedMemory } from '../scale/measure.js'

const SIZES = (process.env.BENCH_SCALE_SIZES ?? '100000,1000000').split(',').map(Number).sort((a, b) => a - b)
const PATTERNS = (process.env.BENCH_SCALE_PATTERNS ?? 'session,rate-limit,queue,leaderboard,cache').split(',')
const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS ?? 3)
const OPS = Number(process.env.BENCH_SCALE_OPS ?? 10_000)
const CONCURRENCY = Number(process.env.BENCH_SCALE_CONCURRENCY ?? 32)
const TARGET = 1.5

const short = n => n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n)
const secs = ms => `${(ms / 1000).toFixed(1)} s`

/** Names of the keys a contender shares between entities, from a 20-entity probe fill. */
async function sharedKeys (admin, redisUrl, c) {
  await admin.flushall()
  const inst = await c.open(redisUrl)
  try {
    await inst.fill(0, 20)
    return (await probeKeys(admin)).filter(k => !c.perEntity.test(k))
  } finally {
    await inst.close()
    await admin.flushall()
  }
}

async function measureContender (admin, redisUrl, c, log) {
  const shared = await sharedKeys(admin, redisUrl, c)
  const inst = await c.open(redisUrl)
  const rows = []
  try {
    let filled = 0
    let keys = await admin.dbsize()
    let mem = await usedMemory(admin)
    for (const size of c.sizes === 'first' ? SIZES.slice(0, 1) : c.sizes ?? SIZES) {
      const t0 = performance.now()
      await inst.fill(filled, size)
      const fillMs = performance.now() - t0
      const memAfter = await usedMemory(admin)
      const keysAfter = await admin.dbsize()
      const added = size - filled
      const usage = await memoryUsagePerEntity(admin, c.entityPerKey ? null : size, shared)
      const row = {
        size,
        bytes: (memAfter - mem) / added,
        usage: usage.bytes,
        sampled: usage.sampled,
        keysPerEntity: (keysAfter - keys) / added,
        fillMs,
        fillRate: added / (fillMs / 1000),
        ops: {}
      }
      log(`  ${c.name} @ ${short(size)}: filled in ${secs(fillMs)}, ${row.bytes.toFixed(1)} B/entity (INFO), ${row.usage.toFixed(1)} (MEMORY USAGE), ${row.keysPerEntity.toFixed(2)} keys/entity`)
      const rand = prng(size)
      const pick = () => Math.floor(rand() * size)
      const names = Object.keys(inst.ops)
      const samples = Object.fromEntries(names.map(n => [n, []]))
      for (const n of names) if (inst.measure?.[n] === undefined) await latency(inst.ops[n], pick, { ops: Math.min(1000, OPS), concurrency: CONCURRENCY })
      for (let r = 0; r < ROUNDS; r++) {
        for (const n of (r % 2 ? [...names].reverse() : names)) {
          const res = inst.measure?.[n] !== undefined ? await inst.measure[n](OPS) : await latency(inst.ops[n], pick, { ops: OPS, concurrency: CONCURRENCY })
          samples[n].push(res)
        }
      }
      for (const n of names) {
        row.ops[n] = { p50: median(samples[n].map(s => s.p50)), p99: median(samples[n].map(s => s.p99)), rounds: samples[n].map(s => s.p99) }
        log(`    ${n}: p50 ${row.ops[n].p50.toFixed(3)} ms, p99 ${row.ops[n].p99.toFixed(3)} ms (per-round p99: ${row.ops[n].rounds.map(v => v.toFixed(2)).join(', ')})`)
      }
      rows.push(row)
      filled = size
      keys = await admin.dbsize()
      mem = await usedMemory(admin)
    }
  } finally {
    await inst.close()
    await admin.flushall()
  }
  return rows
}

/** Each contender with the anchor it is compared with: the nearest anchor listed before it. */
function withAnchors (results) {
  let anchor
  return results.map(r => { if (r.c.anchor) anchor = r; return { ...r, anchor } })
}

/**
 * Why 10M entities is not part of the default run: Redis memory the biggest contender would need,
 * and the fill time, both extrapolated linearly from the largest size run.
 */
function tenMillionNote (all) {
  if (SIZES.includes(10_000_000)) return null
  const last = SIZES.at(-1)
  let fillMs = 0
  let biggest = null
  for (const { c, rows } of all) {
    const r = rows.at(-1)
    if (r.size !== last) continue
    fillMs += r.fillMs * (10_000_000 - last) / (last - (rows.at(-2)?.size ?? 0))
    const gb = r.bytes * 1e7 / 2 ** 30
    if (biggest === null || gb > biggest.gb) biggest = { gb, name: c.name }
  }
  const ram = (totalmem() / 2 ** 30).toFixed(0)
  return `10M entities not run (BENCH_SCALE_SIZES=100000,1000000,10000000 to try): at the ${short(last)} figures the largest contender ` +
    `(${biggest?.name}) would hold ~${biggest?.gb.toFixed(1)} GiB in Redis (this machine: ${ram} GiB RAM, shared), and the fills ` +
    `alone would take ~${Math.round(fillMs / 60_000)} min at this run’s fill rates, against a ~15 min budget for the whole case.`
}

function memoryTable (title, results) {
  const lines = [
    `| ${title}: memory | entities | bytes/entity (INFO Δ) | ÷ anchor | bytes/entity (MEMORY USAGE) | keys/entity | fill |`,
    '|---|---:|---:|---:|---:|---:|---|'
  ]
  for (const { c, rows, anchor } of withAnchors(results)) {
    for (const [i, r] of rows.entries()) {
      const a = anchor?.rows[i]
      lines.push(`| ${c.name} | ${short(r.size)} | ${fmt(r.bytes)} | ${a === undefined ? '' : (r.bytes / a.bytes).toFixed(2) + 'x'} | ${fmt(r.usage)} | ${r.keysPerEntity.toFixed(2)} | ${secs(r.fillMs)} (${fmt(r.fillRate)}/s) |`)
    }
  }
  return lines.join('\n')
}

function latencyTable (title, results) {
  const first = short(SIZES[0])
  const cols = SIZES.flatMap(s => [`p50 @${short(s)}`, `p99 @${short(s)}`])
  const ratios = SIZES.slice(1).map(s => `p99 @${short(s)} ÷ @${first} (≤ ${TARGET}x)`)
  const last = short(SIZES.at(-1))
  const head = ['op', ...cols, ...ratios, `p99 @${last} ÷ anchor`]
  const lines = [
    `| ${title}: latency (ms) | ${head.join(' | ')} |`,
    `|---|---|${cols.map(() => '---:|').join('')}${ratios.map(() => '---|').join('')}---:|`
  ]
  for (const { c, rows, anchor } of withAnchors(results)) {
    if (rows.length < SIZES.length) continue
    for (const op of Object.keys(rows[0].ops)) {
      const vals = rows.flatMap(r => [r.ops[op].p50.toFixed(3), r.ops[op].p99.toFixed(3)])
      const rs = rows.slice(1).map(r => {
        const x = r.ops[op].p99 / rows[0].ops[op].p99
        return `${x.toFixed(2)}x ${x <= TARGET ? 'met' : '**not met**'}`
      })
      const a = anchor?.rows.at(-1).ops[op]
      const vsAnchor = a === undefined || c.anchor ? '' : (rows.at(-1).ops[op].p99 / a.p99).toFixed(2) + 'x'
      lines.push(`| ${[c.name, op, ...vals, ...rs, vsAnchor].join(' | ')} |`)
    }
  }
  return lines.join('\n')
}

export default async function scale ({ redisUrl }) {
  const started = performance.now()
  const admin = new Redis(redisUrl)
  const out = []
  const all = []
  const log = s => console.log(s)
  try {
    // A bench server: no snapshot forks in the middle of a fill or a latency round.
    await admin.config('SET', 'save', '')
    const version = /^redis_version:(\S+)/m.exec(await admin.info('server'))[1]
    for (const p of PATTERNS) {
      const mod = await import(`../scale/patterns/${p}.js`)
      log(`## ${mod.title}`)
      const results = []
      for (const c of mod.contenders) results.push({ c, rows: await measureContender(admin, redisUrl, c, log) })
      all.push(...results)
      out.push(`### ${mod.title}\n\n` + memoryTable(p, results) + '\n\n' + latencyTable(p, results) + '\n\n' +
        'Filled: ' + [...new Set(mod.contenders.map(c => c.how))].join('; ') + '.' + (mod.notes ? ' ' + mod.notes : ''))
    }
    const note = tenMillionNote(all)
    if (note !== null) out.push(note)
    const elapsed = (performance.now() - started) / 1000
    out.unshift(`Redis ${version} (save off) · sizes ${SIZES.map(short).join(', ')} · ${ROUNDS} rounds of ${OPS.toLocaleString('en-US')} ops per op and size, ` +
      `${CONCURRENCY} in flight, random existing entities (seeded), p50/p99 client-side per call, median of rounds · ` +
      `contenders one after another, FLUSHALL between them · elapsed ${Math.floor(elapsed / 60)} min ${Math.round(elapsed % 60)} s`)
    return out
  } finally {
    admin.disconnect()
  }
}

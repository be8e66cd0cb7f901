// Case "leaderboard": submit and top(10) ops/s, ours vs redis-rank vs raw ioredis, same run, same
// Redis, same client (ioredis 6 with the recommended options: auto-pipelining on), 50 concurrent
// callers, a board of 10,000 members.
import { Redis } from 'ioredis'
import { Leaderboard as RedisRank } from 'redis-rank'
import { Leaderboard } from '../../dist/lib/leaderboard/leaderboard.js'
import { recommendedRedisOptions } from '../../dist/lib/shared/connection.js'
import { compare, fmt, median, opsPerSec, table } from '../lib/harness.js'

const MEMBERS = 10_000
const CPU_OPS = Number(process.env.BENCH_CPU_OPS ?? 50_000)

async function redisCpu (redis) {
  const info = await redis.info('cpu')
  return Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1])
}

/**
 * CPU cost per operation, client (this process) and Redis (INFO cpu), for CPU_OPS operations by
 * 50 concurrent callers. Unlike ops/s, CPU time barely moves when other processes load the
 * machine, so these ratios are the steadier ones on a shared host.
 */
async function cpuPerOp (redis, op) {
  let started = 0
  const r0 = await redisCpu(redis)
  const c0 = process.cpuUsage()
  await Promise.all(Array.from({ length: 50 }, async () => { while (started < CPU_OPS) { started++; await op() } }))
  const c = process.cpuUsage(c0)
  const r = await redisCpu(redis)
  return { client: (c.user + c.system) / CPU_OPS, redis: (r - r0) * 1e6 / CPU_OPS }
}

async function cpuTable (title, redis, contenders, base, rounds = 3) {
  const samples = Object.fromEntries(contenders.map(c => [c.name, []]))
  for (let i = 0; i < rounds; i++) {
    for (const c of contenders) samples[c.name].push(await cpuPerOp(redis, c.op))
  }
  const med = (name, k) => median(samples[name].map(s => s[k]))
  const rows = [`| ${title} | client µs/op | Redis µs/op | client + Redis µs/op | cost ratio vs ${base} (lower is better) |`, '|---|---|---|---|---|']
  const total = name => med(name, 'client') + med(name, 'redis')
  for (const c of contenders) {
    rows.push(`| ${c.name} | ${fmt(med(c.name, 'client'))} | ${fmt(med(c.name, 'redis'))} | ${fmt(total(c.name))} | ${(total(c.name) / total(base)).toFixed(2)}x |`)
  }
  return rows.join('\n')
}
const member = (i) => `player:${i % MEMBERS}`

export default async function leaderboard ({ redisUrl }) {
  const redis = new Redis(redisUrl, recommendedRedisOptions())
  try {
    await redis.flushall()
    const rrBest = new RedisRank(redis, 'rr:best', { sortPolicy: 'high-to-low', updatePolicy: 'best' })
    const rrReplace = new RedisRank(redis, 'rr:replace', { sortPolicy: 'high-to-low', updatePolicy: 'replace' })
    const best = new Leaderboard(redis, 'best', { update: 'best' })
    const replace = new Leaderboard(redis, 'replace', { update: 'replace' })
    const first = new Leaderboard(redis, 'first', { update: 'best', tieBreak: 'first' })
    const seed = Array.from({ length: MEMBERS }, (_, i) => ({ member: member(i), score: (i * 7919) % 1_000_000 }))
    for (let i = 0; i < MEMBERS; i += 1000) {
      const chunk = seed.slice(i, i + 1000)
      await best.submitMany(chunk)
      await first.submitMany(chunk.map(e => ({ ...e, score: e.score % 4_000_000 })))
      await rrBest.update(chunk.map(e => ({ id: e.member, value: e.score })))
      await redis.zadd('raw', ...chunk.flatMap(e => [e.score, e.member]))
      await redis.zadd('raw:best', ...chunk.flatMap(e => [e.score, e.member]))
    }

    let n = 0
    const next = () => { n = (n + 7919) % 1_000_003; return n }
    const submitOps = [
      { name: 'raw ioredis ZADD', op: () => { const k = next(); return redis.zadd('raw', k, member(k)) } },
      // What keep-best takes by hand with the same answer as ours (the member's score afterwards):
      // ZADD GT CH, then ZSCORE when the stored score was better (most calls, once boards fill).
      { name: 'raw ioredis keep-best (ZADD GT CH + ZSCORE)', op: () => { const k = next(); const m = member(k); return redis.zadd('raw:best', 'GT', 'CH', k, m).then(ch => ch === 1 ? k : redis.zscore('raw:best', m).then(Number)) } },
      { name: 'redis-rank update best', op: () => { const k = next(); return rrBest.updateOne(member(k), k) } },
      { name: 'redis-rank update replace', op: () => { const k = next(); return rrReplace.updateOne(member(k), k) } },
      { name: 'ours submit best', op: () => { const k = next(); return best.submit(member(k), k) } },
      { name: 'ours submit replace', op: () => { const k = next(); return replace.submit(member(k), k) } },
      { name: 'ours submit best, tieBreak first', op: () => { const k = next(); return first.submit(member(k), k) } }
    ]
    const topOps = [
      { name: 'raw ioredis ZREVRANGE WITHSCORES', op: () => redis.zrevrange('raw', 0, 9, 'WITHSCORES') },
      { name: 'redis-rank top(10)', op: () => rrBest.top(10) },
      { name: 'ours top(10)', op: () => best.top(10) },
      { name: 'ours top(10), tieBreak first', op: () => first.top(10) }
    ]
    const submit = await compare('submit (one member, random score)', 'ops/s', submitOps.map(c => ({ name: c.name, run: () => opsPerSec(c.op) })))
    const top = await compare('top(10)', 'ops/s', topOps.map(c => ({ name: c.name, run: () => opsPerSec(c.op) })))
    const submitCpu = await cpuTable('submit: CPU per op', redis, submitOps, 'raw ioredis ZADD')
    const topCpu = await cpuTable('top(10): CPU per op', redis, topOps, 'raw ioredis ZREVRANGE WITHSCORES')
    const lines = [
      table(submit, 'raw ioredis ZADD'),
      table(submit, 'raw ioredis keep-best (ZADD GT CH + ZSCORE)'),
      table(submit, 'redis-rank update best'),
      table(top, 'raw ioredis ZREVRANGE WITHSCORES'),
      table(top, 'redis-rank top(10)'),
      submitCpu,
      topCpu
    ]
    return lines
  } finally {
    redis.disconnect()
  }
}

// Jobs finished per minute, read from the counters the finishing scripts keep (_throughput.lua:
// hash `<prefix>tput:<minute>`, fields c completed and f failed for good, each minute's hash kept
// 2 hours). One TIME and one pipeline of HMGETs: the cost does not depend on how many jobs ran.
import { redisError } from '../shared/call-policy.js'
import type { QueueContext } from './calls.js'

export interface ThroughputMinute {
  /** Start of the minute, Redis time, ms. */
  at: number
  completed: number
  failed: number
}

/** The last `minutes` minutes (the current one last), oldest first. */
export async function readThroughput (ctx: QueueContext, minutes: number): Promise<ThroughputMinute[]> {
  const failed = (command: string) => (err: unknown): never => { throw redisError(err, ctx.timeoutMs, { command }) }
  // Minutes by the Redis clock, as the scripts count them (any node of a Cluster: clocks agree to well under a minute).
  const [sec] = await ctx.bound(ctx.redis.time()).then(undefined, failed('TIME'))
  const current = Math.floor(Number(sec) / 60)
  const p = ctx.redis.pipeline()
  for (let m = current - minutes + 1; m <= current; m++) p.hmget(ctx.keys.prefix + 'tput:' + m, 'c', 'f')
  const res = await ctx.bound(p.exec()).then(undefined, failed('PIPELINE')) ?? []
  const out: ThroughputMinute[] = []
  for (let i = 0; i < minutes; i++) {
    const [err, v] = res[i] ?? [null, null]
    if (err !== null && err !== undefined) failed('HMGET')(err)
    const [c, f] = (v as Array<string | null> | null) ?? [null, null]
    out.push({ at: (current - minutes + 1 + i) * 60_000, completed: Number(c ?? 0), failed: Number(f ?? 0) })
  }
  return out
}

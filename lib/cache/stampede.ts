// Cross-instance stampede protection: one fill lease per key, taken in the same script as the
// read ("the value, or the lease"). The holder fetches and stores; its store script releases the
// lease and publishes the key on the fill channel. Everyone else waits on the shared notifier:
// the waiter is registered *before* each re-check (no lost wake-up), and also wakes on a timer
// when the lease would expire, so a dead holder is replaced by one waiter after the lease TTL
// (no fixed polling loop). The whole wait is bounded by `maxWait`.
import { randomBytes } from 'node:crypto'
import type { Bound } from '../shared/call-policy.js'
import type { RedisClient } from '../shared/client.js'
import { FRP_CACHE_WAIT_TIMEOUT } from '../shared/errors.js'
import type { Notifier } from '../shared/notifier.js'
import { randomVersion, type CacheKeys } from './keys.js'
import { scripts, ENTRY, LEASED, BUSY, PASS } from './scripts.js'

export interface LeaseContext {
  redis: RedisClient
  keys: CacheKeys
  notifier: Notifier
  /** Bounds each Redis call by the cache's commandTimeout (call-policy's boundFor). */
  bounded: Bound
  /** The cache's commandTimeout: how long a waiter waits for the fill channel's subscription. */
  commandTimeout: number
  leaseTtl: number
  maxWait: number
  /** Life of a generation key created on a miss (ms). */
  genTtl: number
}

export type Acquired =
  | { kind: 'entry', raw: string }
  | { kind: 'lease', token: string, gen: string }
  | { kind: 'pass', gen: string }

type Reply = [number, string, number?, string?]

export function newToken (): string {
  return randomBytes(12).toString('base64url')
}

/** `skip`: '0' serve any entry, '1' ignore any entry, else ignore the entry with this header. */
function readOrLease (ctx: LeaseContext, key: string, token: string, skip: string): Promise<Reply> {
  return ctx.bounded(scripts.run<Reply>(ctx.redis, 'read-or-lease', ctx.keys.triple(key),
    [token, ctx.leaseTtl, randomVersion(), ctx.genTtl, skip]))
}

/** One attempt without waiting (background refresh): the lease, or null when someone holds it. */
export async function tryLease (ctx: LeaseContext, key: string): Promise<{ token: string, gen: string } | null> {
  const token = newToken()
  const r = await readOrLease(ctx, key, token, '1')
  return r[0] === LEASED ? { token, gen: r[1] } : null
}

/**
 * The entry, or the lease, waiting for another instance's fill in between. `onWait` is called
 * once when this call starts waiting. Throws FRP_CACHE_WAIT_TIMEOUT after `maxWait` ms, and
 * Redis errors as they come (the caller fails open).
 */
export async function acquire (ctx: LeaseContext, key: string, ignoreEntry: boolean, onWait: () => void): Promise<Acquired> {
  const token = newToken()
  const deadline = performance.now() + ctx.maxWait
  let skip = ignoreEntry ? '1' : '0'
  let subscribed = false
  let waited = false
  for (;;) {
    // Registered before the check below: a fill published between the check and wait() is kept.
    const waiter = ctx.notifier.waiter(ctx.keys.fillChannel, key)
    let r: Reply
    try {
      r = await readOrLease(ctx, key, token, skip)
    } catch (err) {
      waiter.cancel()
      throw err
    }
    switch (r[0]) {
      case ENTRY: waiter.cancel(); return { kind: 'entry', raw: r[1] }
      case LEASED: waiter.cancel(); return { kind: 'lease', token, gen: r[1] }
      case PASS: waiter.cancel(); return { kind: 'pass', gen: r[1] }
    }
    if (r[0] !== BUSY) { waiter.cancel(); throw new Error(`unexpected read-or-lease reply ${String(r[0])}`) }
    // Someone else fills the key: from now on any entry it stores is what we want, but not the
    // entry the caller found unusable (stale, tag-invalidated): still ignored by its header.
    // Regression: accepting that entry again made the caller re-judge it and call acquire anew,
    // a loop of script calls without waiting, unbounded by maxWait, until the lease expired.
    if (skip === '1') skip = r[3] === undefined || r[3] === '' ? '0' : r[3]
    if (!subscribed) {
      // First wait: make sure the fill channel is subscribed, then re-check (a fill published
      // before the subscription was confirmed would be lost).
      waiter.cancel()
      subscribed = true
      await ctx.notifier.ready(ctx.keys.fillChannel, ctx.commandTimeout).catch(() => {})
      continue
    }
    const left = deadline - performance.now()
    if (left <= 0) {
      waiter.cancel()
      throw new FRP_CACHE_WAIT_TIMEOUT(ctx.maxWait, key)
    }
    if (!waited) { waited = true; onWait() }
    // Wake on the fill, on a subscriber reset, or when the holder's lease would expire.
    const pttl = typeof r[2] === 'number' && r[2] > 0 ? r[2] : ctx.leaseTtl
    await waiter.wait(Math.min(left, pttl + 2))
  }
}

/**
 * Releases a lease without storing (the fetch failed or returned nothing cacheable) and wakes
 * the waiters. With `pass`, waiters stop waiting and run their own fetch for a second (used by
 * the route cache for uncacheable responses, so they do not queue behind each other).
 */
export async function release (ctx: LeaseContext, key: string, token: string, pass: boolean): Promise<void> {
  await ctx.bounded(scripts.run(ctx.redis, 'store', ctx.keys.triple(key),
    ['', token, '', 0, 0, 0, '', ctx.keys.fillChannel, key, 0, pass ? '1' : '0']))
}

// The state one cache's modules share (read, fill, write, invalidate, wrap): built once by the
// Cache constructor and passed as the first argument of plain functions. Plain functions over one
// object keep the hot path free of per-call closures and of a class hierarchy.
import type { EventEmitter } from 'node:events'
import { randomBytes } from 'node:crypto'
import { callPolicy, type Bound, type CallPolicy } from '../shared/call-policy.js'
import type { RedisClient } from '../shared/client.js'
import { Notifier } from '../shared/notifier.js'
import { RedisClock } from './clock.js'
import { InvalidationBus } from './invalidation-bus.js'
import { CacheKeys } from './keys.js'
import { L1 } from './l1.js'
import { defaultEffective, normalizeCacheOptions, type CacheOptions, type Effective, type NormalizedCacheOptions } from './options.js'
import type { LeaseContext } from './stampede.js'
import { Telemetry } from './telemetry.js'

/** Extra life (ms) of a generation key beyond the longest fill it must guard. */
export const GEN_SLACK = 60_000

export interface CacheContext {
  readonly redis: RedisClient
  readonly options: NormalizedCacheOptions
  readonly keys: CacheKeys
  readonly l1: L1 | null
  /** Return structuredClone copies of L1 values (`l1.clone`). */
  readonly clone: boolean
  readonly clock: RedisClock
  readonly bus: InvalidationBus
  readonly notifier: Notifier
  /** What the fill-lease protocol (stampede.ts) needs. */
  readonly lease: LeaseContext
  /** Per-call options of a call without options. */
  readonly defaults: Effective
  /**
   * Bounds one command. A standalone client whose own commandTimeout is at most ours already
   * bounds every command (ioredis arms the timer even for commands queued while offline), so the
   * extra timer is skipped on that hot path.
   */
  readonly bounded: Bound
  /**
   * Rejects a write path's Redis failure with the shared coded error (call policy: the same codes
   * as every other pattern, with the timeout the call really had); `.catch(ctx.fail)`.
   */
  readonly fail: CallPolicy['fail']
  readonly telemetry: Telemetry
  /** `wrap`'s single flight: the calls in flight in this process, by key. */
  readonly inflight: Map<string, Promise<unknown>>
  /** Lookups in flight for `lookupShared`, with the options they run under. */
  readonly sharedLookups: Map<string, { o: Effective, p: Promise<unknown> }>
  /** Keys with a background refresh running (one at a time per key). */
  readonly refreshing: Set<string>
  closed: boolean
}

export function createContext (redis: RedisClient, options: CacheOptions, emitter: EventEmitter): CacheContext {
  const o = normalizeCacheOptions(options)
  const keys = new CacheKeys(o.prefix)
  const l1 = o.l1 === false ? null : new L1({ maxEntries: o.l1.maxEntries, maxBytes: o.l1.maxBytes })
  const telemetry = new Telemetry(emitter, o.logger)
  const notifier = Notifier.for(redis).retain()
  const clock = new RedisClock(redis, o.commandTimeout)
  const bus = new InvalidationBus(notifier, keys.busChannel, l1, randomBytes(6).toString('base64url'), {
    onMessage: (kind, subject) => telemetry.record('invalidate', kind, subject, 'remote'),
    onFlush: reason => telemetry.record('flush', reason)
  })
  const policy = callPolicy(redis, o.commandTimeout)
  const bounded = policy.bound
  return {
    redis,
    options: o,
    keys,
    l1,
    clone: o.l1 !== false && o.l1.clone,
    clock,
    bus,
    notifier,
    lease: {
      redis,
      keys,
      notifier,
      bounded,
      commandTimeout: o.commandTimeout,
      leaseTtl: o.leaseTtl,
      maxWait: o.maxWait,
      genTtl: o.leaseTtl + o.maxWait + GEN_SLACK
    },
    defaults: defaultEffective(o),
    bounded,
    fail: policy.fail,
    telemetry,
    inflight: new Map(),
    sharedLookups: new Map(),
    refreshing: new Set(),
    closed: false
  }
}

/** The L1 epoch now: a fill started at this epoch is dropped if an invalidation comes first. */
export function epochOf (ctx: CacheContext): number {
  return ctx.l1 === null ? 0 : ctx.l1.epoch
}

/** A value as callers get it: the shared object, or a copy with `l1.clone`. */
export function out (ctx: CacheContext, v: unknown): unknown {
  return ctx.clone ? structuredClone(v) : v
}

/**
 * The stored form of a value that came from the origin (a fetch, a write-through), or null when
 * the codec refuses it (above codec.maxBytes, unsupported): the refusal is recorded as 'error' and
 * the value is not cached, while the caller still gets it.
 */
export function encodeOrRecord (ctx: CacheContext, key: string, value: unknown): string | null {
  try {
    return ctx.options.codec.encode(value)
  } catch (err) {
    ctx.telemetry.record('error', err, key)
    return null
  }
}

/** Puts a value read or stored in L2 into L1, never for longer than its fresh life in L2. */
export function fillL1 (ctx: CacheContext, key: string, value: unknown, createdAt: number, freshUntil: number, o: Effective, size: number, epoch: number): void {
  if (ctx.l1 === null || o.l1Ttl <= 0) return
  const now = Date.now()
  // freshUntil is Redis time: converted to local time with the clock's offset.
  const expires = Math.min(now + o.l1Ttl, freshUntil - ctx.clock.offset)
  ctx.l1.set(key, { value, expires, createdAt, tags: o.tags.length > 0 ? o.tags : null }, size, epoch)
}

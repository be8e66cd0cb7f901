// Writes: `set` (after the origin was written: wins over fetches in flight, peers drop their L1
// copy) and write-through, whose stale-set guard reads the key's generation before the origin
// write and stores only if no invalidation bumped it meanwhile. Writes reject on Redis failures
// with coded errors: the caller must know the cache may be stale.
import { GEN_SLACK, encodeOrRecord, epochOf, fillL1, type CacheContext } from './context.js'
import { tagsBlob } from './entry.js'
import { invalidate } from './invalidate.js'
import { randomVersion } from './keys.js'
import type { Effective } from './options.js'
import { scripts } from './scripts.js'
import { initVersions, tagLife } from './tags.js'

/**
 * Stores `value` under `key`. `seen`: the generation read before the origin write (write-through),
 * or '' to store unconditionally (`set`). The script bumps the generation (fetches in flight
 * cannot store over this value), wakes waiters and broadcasts the key to peers' L1.
 */
export async function write (ctx: CacheContext, key: string, value: unknown, o: Effective, seen = '', payload = ctx.options.codec.encode(value)): Promise<void> {
  let ttl = o.ttl
  if (o.jitter > 0) ttl -= Math.floor(ttl * o.jitter * Math.random())
  const versions = o.tags.length > 0 ? await initVersions(ctx.redis, ctx.keys, o.tags, ctx.bounded, tagLife(o, ctx.options.leaseTtl)).catch(ctx.fail) : []
  ctx.l1?.delete(key)
  const epoch = epochOf(ctx)
  const r = await ctx.bounded(scripts.run<[number, number]>(ctx.redis, 'write', ctx.keys.triple(key), [
    seen, payload, ttl, Math.max(o.staleWhileRevalidate, o.staleIfError), tagsBlob(o.tags, versions),
    ctx.keys.busChannel, ctx.bus.message('k', key), randomVersion(), GEN_SLACK, ctx.keys.fillChannel, key
  ])).catch(ctx.fail)
  if (r[0] === 1) fillL1(ctx, key, value, r[1], r[1] + ttl, o, payload.length, epoch)
}

/**
 * Write-through: reads the key's generation, runs `writer` (which writes the origin and returns
 * the new value), then caches the value unless the key was invalidated meanwhile (then the
 * entry is deleted: the order of the two writes is unknown). Returns the writer's value.
 * A value the codec refuses (above codec.maxBytes, unsupported) is not cached, like a fetched one:
 * the error is recorded and the key invalidated, because the origin no longer holds the entry's value.
 */
export async function writeThrough<T> (ctx: CacheContext, key: string, writer: () => T | Promise<T>, o: Effective): Promise<T> {
  const [, gen] = ctx.keys.triple(key)
  const seen = await ctx.bounded(scripts.run<string>(ctx.redis, 'get-or-init', [gen], [randomVersion(), ctx.lease.genTtl])).catch(ctx.fail)
  const value = await writer()
  // Not cacheable (undefined, or refused by the codec): the origin no longer holds the entry's value.
  const payload = value === undefined ? null : encodeOrRecord(ctx, key, value)
  if (payload === null) await invalidate(ctx, key)
  else await write(ctx, key, value, o, seen, payload)
  return value
}

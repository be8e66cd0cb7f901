// Invalidation: of one key, of tags, of every key under a prefix, of the whole cache. Each is done
// by a script that also bumps the generation (a fetch in flight cannot store over it), wakes
// waiters and broadcasts to every instance's L1; this instance's L1 is updated first. Redis
// failures reject with coded errors (FRP_REDIS_UNAVAILABLE / FRP_REDIS_TIMEOUT).
import { boundFor } from '../shared/call-policy.js'
import { escapeGlob, scanKeys } from '../shared/connection.js'
import { escapeTag } from '../shared/keys.js'
import type { CacheContext } from './context.js'
import type { BusKind } from './invalidation-bus.js'
import { unescapeTag } from './keys.js'
import { scripts } from './scripts.js'
import { bumpTags } from './tags.js'

/** Deletes `key` everywhere (Redis and every instance's L1); a fetch in flight cannot store over it. */
export async function invalidate (ctx: CacheContext, key: string): Promise<void> {
  ctx.l1?.delete(key)
  local(ctx, 'k', key)
  await ctx.bounded(scripts.run(ctx.redis, 'invalidate', ctx.keys.triple(key),
    [ctx.keys.busChannel, ctx.bus.message('k', key), ctx.keys.fillChannel, key])).catch(ctx.fail)
}

/** Invalidates every entry carrying any of `tags` (one atomic version bump + broadcast per tag). */
export async function invalidateTags (ctx: CacheContext, tags: readonly string[]): Promise<void> {
  for (const t of tags) { ctx.l1?.deleteTag(t); local(ctx, 't', t) }
  await bumpTags(ctx.redis, ctx.keys, tags, t => ctx.bus.message('t', t), ctx.bounded).catch(ctx.fail)
}

/**
 * Invalidates every key starting with `prefix` ('c': every key of the cache): SCAN (never KEYS,
 * never FLUSHALL) on every master, each key invalidated by the same script as `invalidate`.
 * Peers are told before and after the sweep. Returns the number of entries deleted.
 */
export async function sweep (ctx: CacheContext, kind: 'p' | 'c', prefix: string): Promise<number> {
  try {
    return await sweepKeys(ctx, kind, prefix)
  } catch (err) {
    // Regression: a failed PUBLISH or SCAN rejected with ioredis's raw error (only timeouts were coded).
    return ctx.fail(err)
  }
}

async function sweepKeys (ctx: CacheContext, kind: 'p' | 'c', prefix: string): Promise<number> {
  const dropL1 = (): void => {
    if (kind === 'c') ctx.l1?.clear(); else ctx.l1?.deletePrefix(prefix)
  }
  dropL1()
  local(ctx, kind, prefix)
  const bounded = ctx.bounded
  // A batch of invalidations is many calls at once: five times one call's bound for the batch.
  const batchBound = boundFor(ctx.redis, ctx.options.commandTimeout * 5)
  const message = ctx.bus.message(kind, prefix)
  await bounded(ctx.redis.publish(ctx.keys.busChannel, message))
  const base = ctx.keys.space.base
  const from = base.length + 2 // past `<base>:{`
  const batches = scanKeys(ctx.redis, `${base}:{${escapeGlob(escapeTag(prefix))}*`, 500)
  let count = 0
  try {
    for (;;) {
      // Each SCAN bounded on its own: a sweep of a large cache may take many of them.
      const next = await bounded(batches.next())
      if (next.done === true) break
      const keys = new Set<string>()
      for (const k of next.value) {
        const end = k.indexOf('}', from)
        if (end > 0) keys.add(unescapeTag(k.slice(from, end)))
      }
      await batchBound(Promise.all([...keys].map(key => scripts.run<number>(ctx.redis, 'invalidate', ctx.keys.triple(key),
        ['', '', ctx.keys.fillChannel, key]).then(n => { count += n }))))
    }
  } finally {
    // After a timeout the generator is still waiting for its SCAN: it stops once that settles.
    batches.return(undefined).catch(() => {})
  }
  dropL1()
  // Again after the sweep: a peer may have refilled its L1 from an entry the sweep deleted later.
  await bounded(ctx.redis.publish(ctx.keys.busChannel, message))
  return count
}

function local (ctx: CacheContext, kind: BusKind, subject: string): void {
  ctx.telemetry.record('invalidate', kind, subject, 'local')
}

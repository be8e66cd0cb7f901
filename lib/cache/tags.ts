// Tag versions. A tag is one Redis key holding an integer version, in its own slot, bumped with
// INCR by invalidateTags (Redis-side: no app clock involved).
//
// Cluster-safe design: a Lua script cannot read tag versions from other slots while it stores an
// entry, so the entry remembers the versions its tags had *before* the fetch started, and a read
// compares them with the current versions (plain GETs issued in the same tick as the entry GET
// when the caller names the tags, so the L2 hit stays one round trip). A tag invalidated during
// the fetch therefore makes the stored entry invalid on its first read: the stale set never wins.
import type { Bound } from '../shared/call-policy.js'
import type { RedisClient } from '../shared/client.js'
import type { CacheKeys } from './keys.js'
import { randomVersion } from './keys.js'
import { scripts } from './scripts.js'

/** Current versions of `tags` (null for a tag that has none: no entry can be valid for it). */
export function readVersions (redis: RedisClient, keys: CacheKeys, tags: readonly string[], bound: Bound): Promise<Array<string | null>> {
  return bound(Promise.all(tags.map(t => redis.get(keys.tag(t)))))
}

/**
 * Versions of `tags` to remember in an entry, creating the missing ones. Each tag key expires
 * `life` ms from now at the earliest (an entry's whole life, see tagLife): tags are transient too
 * (issue 22: one per user or per product would otherwise stay in Redis forever).
 */
export function initVersions (redis: RedisClient, keys: CacheKeys, tags: readonly string[], bound: Bound, life: number): Promise<string[]> {
  return bound(Promise.all(tags.map(t => scripts.run<string>(redis, 'get-or-init', [keys.tag(t)], [randomVersion(), life, '1']))))
}

/**
 * How long a tag named by an entry must live: the entry's fresh TTL and stale window, plus the
 * fill lease (the versions are read before the fetch, the entry is stored after it).
 */
export function tagLife (o: { ttl: number, staleWhileRevalidate: number, staleIfError: number }, leaseTtl: number): number {
  return o.ttl + Math.max(o.staleWhileRevalidate, o.staleIfError) + leaseTtl
}

/**
 * True when every tag of the entry still has the version it had at fetch time. `known` holds
 * versions already read for `knownTags` (same order); other tags are read now.
 */
export async function tagsValid (
  redis: RedisClient, keys: CacheKeys, entryTags: Array<[string, string]>, knownTags: readonly string[] | undefined,
  known: Array<string | null> | undefined, bound: Bound
): Promise<boolean> {
  let missing: string[] | null = null
  for (const [tag, version] of entryTags) {
    const i = knownTags === undefined ? -1 : knownTags.indexOf(tag)
    if (i >= 0 && known !== undefined) {
      if (known[i] !== version) return false
    } else {
      (missing ??= []).push(tag)
    }
  }
  if (missing === null) return true
  const current = await readVersions(redis, keys, missing, bound)
  for (let i = 0; i < missing.length; i++) {
    const pair = entryTags.find(p => p[0] === missing[i])
    if (pair === undefined || current[i] !== pair[1]) return false
  }
  return true
}

/** Bumps every tag's version and broadcasts each bump, one atomic script per tag (tags live in different slots). */
export async function bumpTags (redis: RedisClient, keys: CacheKeys, tags: readonly string[], message: (tag: string) => string, bound: Bound): Promise<void> {
  await bound(Promise.all(tags.map(t => scripts.run(redis, 'tag-invalidate', [keys.tag(t)], [keys.busChannel, message(t)]))))
}

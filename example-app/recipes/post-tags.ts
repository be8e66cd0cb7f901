// Post tags as Redis sets: one set of post ids per tag, queried with SINTER (every tag), SUNION
// (any tag) or SDIFF (none of the tags, subtracted from the set of every post). A tag nobody
// used is an empty set: it narrows the result, it is not an error.
import type { Redis } from 'ioredis'
import { keys } from './keys.js'
import { redisCall } from './redis-call.js'
import { scripts } from './scripts.js'

export type TagMatch = 'all' | 'any' | 'not'

/** A tag: lower-case letters, digits and dashes, 1 to 32 characters. */
export const TAG_PATTERN = '^[a-z0-9][a-z0-9-]{0,31}$'
export const MAX_TAGS = 10

/** Post ids carrying `tags` as `match` asks, ascending. */
export async function postsTagged (redis: Redis, tags: readonly string[], match: TagMatch): Promise<number[]> {
  const sets = tags.map(keys.tag)
  const ids = match === 'all'
    ? await redisCall(redis, 'SINTER', redis.sinter(...sets))
    : match === 'any' ? await redisCall(redis, 'SUNION', redis.sunion(...sets)) : await redisCall(redis, 'SDIFF', redis.sdiff(keys.allPosts(), ...sets))
  return ids.map(Number).sort((a, b) => a - b)
}

export async function tagsOf (redis: Redis, postId: number): Promise<string[]> {
  return (await redisCall(redis, 'SMEMBERS', redis.smembers(keys.postTags(postId)))).sort()
}

/**
 * Replaces the tags of a post (atomic; retried when another writer changed them in between).
 * Null when other writers kept winning: the caller answers 409 rather than retrying forever.
 */
export async function setTags (redis: Redis, postId: number, tags: readonly string[]): Promise<string[] | null> {
  const wanted = [...new Set(tags)]
  for (let attempt = 0; attempt < 10; attempt++) {
    const old = await redisCall(redis, 'SMEMBERS', redis.smembers(keys.postTags(postId)))
    const done = await redisCall(redis, 'EVALSHA set-tags', scripts.run<number>(redis, 'set-tags',
      [keys.postTags(postId), ...old.map(keys.tag), ...wanted.map(keys.tag)],
      [postId, old.length, ...old, ...wanted]))
    if (done === 1) return wanted.sort()
  }
  return null
}

/** Records every post id (idempotent): the universe `match=not` subtracts the tag sets from. */
export async function registerPosts (redis: Redis, ids: readonly number[]): Promise<void> {
  if (ids.length > 0) await redisCall(redis, 'SADD', redis.sadd(keys.allPosts(), ...ids))
}

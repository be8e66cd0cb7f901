// Redis keys of the example app's data-structure recipes, under the app's prefix `example` like
// the pattern plugins' keys (`example:<space>:{tag}:...`, lib/shared/keys.ts). Keys a multi-key
// command or script reads together share one hash tag, so they stay in one Cluster slot.
import { keySpace } from '../../lib/shared/keys.js'

const tags = keySpace('example', 'tags')
const recent = keySpace('example', 'recent')
const views = keySpace('example', 'views')
const users = keySpace('example', 'users')

export const keys = {
  // Every tag set lives under the one hash tag {posts}: SINTER/SUNION/SDIFF over several tags and
  // the set-tags script need all of them in one slot. Fine at this size (one slot holds every
  // post's tags); a much larger catalogue would shard by tag and combine in the app instead.
  tag: (name: string) => tags.key('posts', 'tag', name),
  /** The tags of one post (which tag sets to leave when its tags change). */
  postTags: (postId: number) => tags.key('posts', 'post', postId),
  /** Every post id, the universe `match=not` subtracts from. */
  allPosts: () => tags.key('posts', 'all'),
  /** A user's recently viewed products (a capped list, newest first). */
  recentlyViewed: (userId: number) => recent.key(`user:${userId}`),
  /** A product's view counter. */
  productViews: (productId: number) => views.key(`product:${productId}`),
  /** A user object as a hash (fields: points). */
  user: (userId: number) => users.key(`user:${userId}`)
}

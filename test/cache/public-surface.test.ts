// The route cache's lease-level internals are not part of the package's API (issue 16 item 1):
// neither the root index nor lib/cache/index.ts exports them, and a Cache instance carries only
// the documented API (docs/cache.md, "API"). The route cache reaches them through
// lib/cache/internals.ts, which no index exports.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import * as root from '../../index.js'
import * as cacheIndex from '../../lib/cache/index.js'
import { makeCache } from './fixtures/setup.js'

// Types that left the public API: importing them from the package entry points fails to compile.
// @ts-expect-error Lookup is internal
import type { Lookup } from '../../index.js'
// @ts-expect-error Lease (was CacheLease) is internal
import type { CacheLease } from '../../index.js'
// @ts-expect-error Served is internal
import type { Served } from '../../index.js'
// @ts-expect-error Effective is internal
import type { Effective } from '../../index.js'
// @ts-expect-error StoredResponse is the route cache's storage format, internal
import type { StoredResponse } from '../../index.js'
// @ts-expect-error not exported by the cache's public surface either
import type { Lease } from '../../lib/cache/index.js'

export type Unused = [Lookup, CacheLease, Served, Effective, StoredResponse, Lease]

const INTERNALS = ['lookup', 'lookupShared', 'fulfil', 'abandon', 'refreshLease', 'peek', 'fail', 'effective',
  'redisNow', 'codec', 'redis', 'keys', 'options', 'cacheInternals', 'CacheInternals', 'registerInternals']

test('the root index and lib/cache/index.ts export no cache internals', async t => {
  for (const name of INTERNALS) {
    t.notOk(name in root, `root index: no ${name}`)
    t.notOk(name in cacheIndex, `lib/cache/index.ts: no ${name}`)
  }
  t.equal(root.Cache, cacheIndex.Cache, 'the root index re-exports the cache from its index')
  t.equal(root.WriteBehind, cacheIndex.WriteBehind)
})

test('a Cache instance exposes the documented API and none of the internals', async t => {
  const redis = await startRedis(t)
  const cache = await makeCache(t, redis.client(), { prefix: 'ps' })
  for (const name of INTERNALS) t.notOk(name in cache, `no cache.${name}`)
  const documented = ['ready', 'wrap', 'get', 'has', 'getMany', 'set', 'setMany', 'writeThrough', 'writeBehind',
    'invalidate', 'del', 'invalidateTags', 'invalidatePrefix', 'clear', 'stats', 'close', 'on', 'once', 'off']
  for (const name of documented) t.ok(name in cache, `cache.${name}`)
  const own = [...Object.getOwnPropertyNames(cache), ...Object.getOwnPropertyNames(Object.getPrototypeOf(cache))]
    .filter(n => n !== 'constructor' && !n.startsWith('_'))
  t.strictSame(own.filter(n => !documented.includes(n)), [], 'no undocumented own property or method')
})

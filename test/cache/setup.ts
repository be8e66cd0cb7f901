// Shared setup of the cache tests: a Cache over a real Redis (or Cluster), closed at teardown.
import type { Redis, Cluster } from 'ioredis'
import { Cache } from '../../lib/cache/cache.js'
import type { CacheOptions } from '../../lib/cache/options.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export async function makeCache (t: Teardown, client: Redis | Cluster, opts: CacheOptions = {}): Promise<Cache> {
  const cache = new Cache(client, { prefix: 't', ...opts })
  t.teardown(() => cache.close())
  await cache.ready
  return cache
}

/** A promise plus its resolve function, to hold a fetcher open at a chosen moment. */
export function gate<T = void> (): { promise: Promise<T>, open: (v: T) => void } {
  let open!: (v: T) => void
  const promise = new Promise<T>(resolve => { open = resolve })
  return { promise, open }
}

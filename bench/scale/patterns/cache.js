// Cache entries at scale: 1 KiB JSON values, one per key, 1 h TTL. Ours (Cache, L1 off so every
// read reaches Redis) vs async-cache-dedupe 3 (Redis storage, through a defined function, as an
// app uses it) and bentocache 1 (Redis L2 only). Every contender on its own client, auto-pipelining.
import { Redis } from 'ioredis'
import { BentoCache, bentostore } from 'bentocache'
import { redisDriver } from 'bentocache/drivers/redis'
import { createCache } from 'async-cache-dedupe'
import { Cache } from '../../../dist/lib/cache/cache.js'
import { clientOptions, TIMEOUT } from '../client.js'
import { pooled } from '../fill.js'

const TTL_S = 3600
const IN_FLIGHT = 1000

/** Product i as an API would cache it: 1 KiB of JSON (1,024 characters stringified). */
export function product (i) {
  const p = { id: i, sku: `SKU-${String(i).padStart(8, '0')}`, name: `Product ${i}`, price: 1999 + (i % 500), currency: 'EUR', stock: i % 100, tags: ['garden', 'outdoor', 'tools'], description: '' }
  p.description = 'Sturdy, weatherproof and made to last. '.repeat(30).slice(0, 1024 - JSON.stringify(p).length)
  return p
}
const key = i => `product:${i}`

const ours = {
  name: 'ours (Cache, l1: false)',
  how: `ours through Cache.set, ${IN_FLIGHT} in flight`,
  perEntity: /product:/,
  async open (redisUrl) {
    const redis = new Redis(redisUrl, clientOptions())
    const cache = new Cache(redis, { prefix: 'scale', ttl: TTL_S * 1000, l1: false, earlyRefresh: 0, commandTimeout: TIMEOUT })
    await cache.ready
    return {
      fill: (from, to) => pooled(from, to, IN_FLIGHT, i => cache.set(key(i), product(i))),
      ops: {
        'get hit': async i => { if (await cache.get(key(i)) === undefined) throw new Error(`ours: ${key(i)} missing`) },
        set: i => cache.set(key(i), product(i))
      },
      async close () { await cache.close(); await redis.quit() }
    }
  }
}

const dedupe = {
  name: 'async-cache-dedupe 3 (Redis storage)',
  anchor: true,
  how: `async-cache-dedupe through its defined function (a miss stores the fetched value), ${IN_FLIGHT} in flight`,
  perEntity: /product~/,
  async open (redisUrl) {
    const redis = new Redis(redisUrl, clientOptions())
    const cache = createCache({ ttl: TTL_S, storage: { type: 'redis', options: { client: redis } } })
    cache.define('product', async i => product(i))
    return {
      fill: (from, to) => pooled(from, to, IN_FLIGHT, i => cache.product(i)),
      ops: {
        'get hit': async i => { if (await cache.get('product', `product~${i}`) == null) throw new Error(`dedupe: product~${i} missing`) },
        set: i => cache.set('product', `product~${i}`, product(i), TTL_S)
      },
      close: () => redis.quit()
    }
  }
}

const bento = {
  name: 'bentocache 1 (Redis L2 only)',
  how: `bentocache through set, ${IN_FLIGHT} in flight`,
  perEntity: /product:/,
  async open (redisUrl) {
    const u = new URL(redisUrl)
    const connection = { host: u.hostname, port: Number(u.port), ...clientOptions() }
    const cache = new BentoCache({ default: 'c', stores: { c: bentostore().useL2Layer(redisDriver({ connection })) } })
    return {
      fill: (from, to) => pooled(from, to, IN_FLIGHT, i => cache.set({ key: key(i), value: product(i), ttl: `${TTL_S}s` })),
      ops: {
        'get hit': async i => { if (await cache.get({ key: key(i) }) === undefined) throw new Error(`bento: ${key(i)} missing`) },
        set: i => cache.set({ key: key(i), value: product(i), ttl: `${TTL_S}s` })
      },
      close: () => cache.disconnectAll()
    }
  }
}

export const title = 'Cache entries (1 KiB JSON, TTL 1 h)'
export const contenders = [dedupe, bento, ours]

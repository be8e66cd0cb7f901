// Child process of the stampede bench: waits for "go <key>" on stdin, then fires CONCURRENCY
// concurrent cold reads of <key> through the chosen library; the fetcher counts its calls in Redis.
import { createInterface } from 'node:readline'
import { Redis } from 'ioredis'

const [, , lib, url, concurrencyArg] = process.argv
const concurrency = Number(concurrencyArg)
const counter = new Redis(url)
const fetcher = (key) => async () => {
  await counter.incr(`stampede:calls:${key}`)
  await new Promise(resolve => setTimeout(resolve, 50))
  return { value: key }
}

let read
let close
if (lib === 'ours') {
  const { Cache } = await import('../../dist/lib/cache/cache.js')
  const { recommendedRedisOptions } = await import('../../dist/lib/shared/connection.js')
  const redis = new Redis(url, recommendedRedisOptions())
  const cache = new Cache(redis, { prefix: 'stampede' })
  await cache.ready
  read = (key) => cache.wrap(key, fetcher(key), { ttl: 60_000 })
  close = async () => { await cache.close(); redis.disconnect() }
} else if (lib === 'bentocache') {
  const { BentoCache, bentostore } = await import('bentocache')
  const { memoryDriver } = await import('bentocache/drivers/memory')
  const { redisDriver, redisBusDriver } = await import('bentocache/drivers/redis')
  const u = new URL(url)
  const connection = { host: u.hostname, port: Number(u.port) }
  const bento = new BentoCache({
    default: 'c',
    stores: { c: bentostore().useL1Layer(memoryDriver({ maxItems: 10_000 })).useL2Layer(redisDriver({ connection })).useBus(redisBusDriver({ connection })) }
  })
  read = (key) => bento.getOrSet({ key, factory: fetcher(key), ttl: '1m' })
  close = () => bento.disconnectAll()
} else {
  const { createCache } = await import('async-cache-dedupe')
  const client = new Redis(url)
  const cache = createCache({ ttl: 60, storage: { type: 'redis', options: { client } } })
  cache.define('read', (key) => fetcher(key)())
  read = (key) => cache.read(key)
  close = async () => { client.disconnect() }
}

process.stdout.write('ready\n')
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, key] = line.split(' ')
  if (cmd === 'exit') break
  const results = await Promise.all(Array.from({ length: concurrency }, () => read(key)))
  const ok = results.filter(r => r?.value === key).length
  process.stdout.write(`done ${ok}\n`)
}
await close()
counter.disconnect()
process.exit(0)

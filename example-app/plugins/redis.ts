// @fastify/redis with the package's recommended client options (bounded timeouts, one retry,
// auto-pipelining). Every pattern plugin takes its client from here. A Redis Cluster instead of
// one server: `redisClusterNodes` (or REDIS_CLUSTER_NODES), comma-separated `host:port` seeds.
import fp from 'fastify-plugin'
import fastifyRedis from '@fastify/redis'
import { Cluster, Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { recommendedClusterOptions, recommendedRedisOptions } from '../../lib/shared/connection.js'

/** `host:port,host:port` → Cluster seed nodes; a malformed entry fails startup naming the option. */
export function clusterSeeds (list: string): Array<{ host: string, port: number }> {
  return list.split(',').map(s => s.trim()).filter(s => s !== '').map(s => {
    const m = /^(.+):(\d{1,5})$/.exec(s)
    const port = Number(m?.[2])
    if (m === null || port < 1 || port > 65535) throw new Error(`redisClusterNodes: "${s}" is not host:port`)
    return { host: m[1], port }
  })
}

export default fp(async (fastify: FastifyInstance, opts: { redisUrl?: string, redisClusterNodes?: string }) => {
  const seeds = opts.redisClusterNodes ?? process.env.REDIS_CLUSTER_NODES
  // @fastify/redis types its client as a single-node Redis; the pattern plugins and the recipes
  // take either (lib/shared/client.ts RedisClient), and a Cluster answers the same commands.
  const client = seeds !== undefined && seeds !== ''
    ? new Cluster(clusterSeeds(seeds), recommendedClusterOptions()) as unknown as Redis
    : new Redis(opts.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', recommendedRedisOptions())
  // We close the client ourselves: @fastify/redis's own close is a bare QUIT, which fails while
  // Redis is down and leaves the client reconnecting forever, so shutdown would reject and the
  // process would never exit (seen in test/example-app/health.test.ts).
  await fastify.register(fastifyRedis, { client, closeClient: false })
  fastify.addHook('onClose', async () => {
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect())
    else client.disconnect()
  })
  // ioredis reconnects by itself; log the outage once instead of an unhandled 'error' event.
  let down = false
  fastify.redis.on('error', (err: Error) => {
    if (!down) fastify.log.warn({ err }, 'Redis connection error; reconnecting')
    down = true
  })
  fastify.redis.on('ready', () => { down = false })
}, { name: 'example-redis' })

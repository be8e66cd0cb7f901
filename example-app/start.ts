// `npm start`: runs the example server on http://127.0.0.1:3000 (PORT and HOST override).
// Redis comes from REDIS_CLUSTER_NODES (a Cluster's seeds, host:port,...), else REDIS_URL, else
// 127.0.0.1:6379, else a local redis-server child process (stopped with the app), else the
// process exits with one line saying how to get Redis.
// NODE_ENV=production requires SESSION_SECRET.
import Fastify from 'fastify'
import { resolveRedis } from './redis-bootstrap.js'
import { resolveSessionSecret } from './auth/session-secret.js'
import app, { options } from './app.js'

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'

// Refuse before touching Redis: production without SESSION_SECRET would run on a secret anyone
// can read in the source (the app itself refuses too, for `fastify start`).
try {
  resolveSessionSecret(undefined)
} catch (err) {
  console.error(`fastify-redis-patterns example: ${(err as Error).message}`)
  process.exit(1)
}

const clusterNodes = process.env.REDIS_CLUSTER_NODES ?? ''
const redis = clusterNodes !== ''
  ? { url: `cluster ${clusterNodes}`, spawned: false, stop: async () => {} }
  : await resolveRedis(process.env.REDIS_URL)
if (redis === null) {
  console.error('fastify-redis-patterns example: no Redis reachable at 127.0.0.1:6379 and no redis-server binary found. ' +
    'Install Redis (Debian: apt-get install -y redis-server) or set REDIS_URL=redis://host:port.')
  process.exit(1)
}

const server = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' }, ...options })
await server.register(app, { ...options, ...(clusterNodes !== '' ? { redisClusterNodes: clusterNodes } : { redisUrl: redis.url }) })

let closing = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return
    closing = true
    server.log.info({ signal }, 'shutting down gracefully')
    // Closing the app stops taking requests, drains the queue workers, flushes write-behind
    // buffers and closes Redis clients; a redis-server we started goes last.
    server.close()
      .then(async () => { await redis.stop(); process.exit(0) })
      .catch(err => { server.log.error(err); process.exit(1) })
  })
}

await server.listen({ port, host })
server.log.info(`Redis: ${redis.url}${redis.spawned ? ' (local redis-server started by the app)' : ''}`)

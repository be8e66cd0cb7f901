// Shared by the rate-limit tests: a Fastify app with @fastify/redis (given client, not closed
// with the app) and the rate-limit plugin.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import fastifyRedis from '@fastify/redis'
import type { Redis, Cluster } from 'ioredis'
import { redisRateLimit, type RedisRateLimitOptions } from '../../plugins/rate-limit.js'

/** A ready app with the plugin; `routes` declares the routes (default: GET / → { ok: true }). */
export async function buildApp (client: Redis | Cluster, opts: RedisRateLimitOptions, routes?: (app: FastifyInstance) => void, server: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify(server)
  await app.register(fastifyRedis, { client: client as Redis, closeClient: false })
  await app.register(redisRateLimit, opts)
  if (routes !== undefined) routes(app)
  else app.get('/', async () => ({ ok: true }))
  await app.ready()
  return app
}

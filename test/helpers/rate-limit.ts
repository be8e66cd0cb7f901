// Shared by the rate-limit tests: a Fastify app with @fastify/redis (given client, not closed
// with the app) and the rate-limit plugin.
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import type { Redis, Cluster } from 'ioredis'
import { redisRateLimit, type RedisRateLimitOptions } from '../../plugins/rate-limit.js'
import { pluginApp } from './app.js'

/** A ready app with the plugin; `routes` declares the routes (default: GET / → { ok: true }). */
export async function buildApp (client: Redis | Cluster, opts: RedisRateLimitOptions, routes?: (app: FastifyInstance) => void, server: FastifyServerOptions = {}): Promise<FastifyInstance> {
  return await pluginApp(null, client, redisRateLimit, opts, {
    server,
    routes: routes ?? (app => { app.get('/', async () => ({ ok: true })) })
  })
}

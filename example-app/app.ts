// The example application's root plugin, fastify-cli style: `fastify start build/example-app/app.js` (after `npm run build:app`)
// works, and so does `npm start` (example-app/start.ts, which also finds or starts a Redis).
// plugins/ (infrastructure and pattern plugins) and routes/ are autoloaded.
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import autoload from '@fastify/autoload'
import type { FastifyInstance, FastifyPluginOptions } from 'fastify'

export interface AppOptions extends FastifyPluginOptions {
  /** Redis URL (default REDIS_URL, else redis://127.0.0.1:6379). */
  redisUrl?: string
  /** A Redis Cluster instead: comma-separated `host:port` seed nodes (default REDIS_CLUSTER_NODES). */
  redisClusterNodes?: string
  /** SQLite file (default SQLITE_PATH, else example-app/data/app.db); ':memory:' for tests. */
  dbPath?: string
}

/** Server options fastify-cli applies when it starts the app. */
export const options = {
  trustProxy: false,
  bodyLimit: 64 * 1024,
  // strictNumbers off: with it (Ajv's default) minimum/maximum skip non-finite numbers, and
  // coercion turns the strings 'Infinity' and '1e309' into Infinity without checking the type
  // again, so even a bounded integer field let Infinity through to SQLite (issue 15 item 4).
  // Without it the bounds apply to Infinity too; every schema of this app bounds its numbers.
  ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array' as const, strictNumbers: false } }
}

const here = fileURLToPath(new URL('.', import.meta.url))
// Running from the TypeScript sources (tests): let autoload pick up .ts files.
if (import.meta.url.endsWith('.ts')) process.env.FASTIFY_AUTOLOAD_TYPESCRIPT = '1'

export default async function app (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  fastify.addSchema({
    $id: 'healthStatus',
    type: 'object',
    properties: {
      status: { type: 'string' },
      redis: { $ref: 'redisStatus#' },
      sqlite: { $ref: 'probe#' }
    }
  })
  // The Redis part: a probe's fields (latencyMs the slowest client's PING), then
  // fastify.redisHealth()'s report on each client the pattern plugins use.
  fastify.addSchema({
    $id: 'redisStatus',
    type: 'object',
    properties: {
      status: { type: 'string' },
      latencyMs: { type: 'number' },
      error: { type: 'string' },
      clients: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            patterns: { type: 'array', items: { type: 'string' } },
            up: { type: 'boolean' },
            pingMs: { type: ['number', 'null'] },
            usedMemoryBytes: { type: ['integer', 'null'] },
            maxmemoryBytes: { type: ['integer', 'null'] },
            maxmemoryPolicy: { type: ['string', 'null'] },
            evictedKeys: { type: ['integer', 'null'] },
            warnings: { type: 'array', items: { type: 'string' } },
            error: { type: 'string' }
          }
        }
      }
    }
  })
  fastify.addSchema({
    $id: 'probe',
    type: 'object',
    properties: { status: { type: 'string' }, latencyMs: { type: 'number' }, error: { type: 'string' } }
  })
  await fastify.register(autoload, { dir: join(here, 'plugins'), options: opts, forceESM: true, ignorePattern: /\.d\.ts$|\.map$/ })
  await fastify.register(autoload, { dir: join(here, 'routes'), options: opts, forceESM: true, ignorePattern: /\.d\.ts$|\.map$/ })
}

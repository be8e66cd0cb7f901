// The Redis section: per client the pattern plugins use, its nodes' version, mode, uptime,
// clients and keys, and the memory watch's reading (memory used vs maxmemory, eviction policy,
// warnings: fastify.redisHealth(), plugins/shared/redis-registry.ts).
import type { FastifyInstance, FastifySchema } from 'fastify'
import { readServerInfo, type ServerInfo } from '../../lib/shared/server-info.js'
import { clientsInUse } from '../shared/redis-registry.js'
import { errorResponses } from '../shared/route-responses.js'
import type { RedisSnapshot } from '../../lib/shared/redis-watch.js'
import { html, type Html } from './html.js'
import { facts, table } from './layout.js'
import type { DashboardContext } from './context.js'

export interface RedisClientReport extends RedisSnapshot {
  name: string
  patterns: string[]
  nodes: ServerInfo[]
}

const nullable = (type: string): Record<string, unknown> => ({ type, nullable: true })
const reportSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', description: '@fastify/redis namespace, \'default\', or client-N' },
    patterns: { type: 'array', items: { type: 'string' } },
    up: { type: 'boolean' },
    pingSeconds: nullable('number'),
    usedMemoryBytes: nullable('integer'),
    maxmemoryBytes: nullable('integer'),
    maxmemoryPolicy: nullable('string'),
    evictedKeys: nullable('integer'),
    warnings: { type: 'array', items: { type: 'string' } },
    error: { type: 'string' },
    nodes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          node: { type: 'string' },
          version: nullable('string'),
          mode: nullable('string'),
          uptimeSeconds: nullable('integer'),
          connectedClients: nullable('integer'),
          keys: nullable('integer'),
          error: { type: 'string' }
        }
      }
    }
  }
}

/** Every client in use, with its snapshot and its nodes' INFO. Never rejects. */
export async function redisReport (fastify: FastifyInstance): Promise<RedisClientReport[]> {
  const entries = clientsInUse(fastify)
  return await Promise.all(entries.map(async e => ({
    name: e.name,
    patterns: [...e.watch.patterns],
    ...await e.watch.snapshot(),
    nodes: await readServerInfo(e.client, 1000)
  })))
}

function bytes (n: number | null): string {
  if (n === null) return '—'
  if (n >= 1073741824) return `${(n / 1073741824).toFixed(2)} GiB`
  return `${(n / 1048576).toFixed(1)} MiB`
}

function memory (r: RedisClientReport): Html {
  if (r.usedMemoryBytes === null) return html`—`
  if (r.maxmemoryBytes === null || r.maxmemoryBytes === 0) return html`${bytes(r.usedMemoryBytes)} (no maxmemory)`
  const share = r.usedMemoryBytes / r.maxmemoryBytes
  return html`<meter min="0" max="1" high="0.9" value="${share.toFixed(3)}"></meter> ${bytes(r.usedMemoryBytes)} of ${bytes(r.maxmemoryBytes)} (${(share * 100).toFixed(1)}%)`
}

export function redisView (reports: RedisClientReport[]): Html {
  if (reports.length === 0) return html`<p class="empty">No pattern plugin uses a Redis client yet.</p>`
  return html`${reports.map(r => html`<section class="redis-client"><h2>Client ${r.name}</h2>
${facts([
  ['Status', r.up ? html`<span class="badge running">up</span>` : html`<span class="badge paused">down</span> ${r.error ?? ''}`],
  ['Used by', r.patterns.join(', ')],
  ['PING', r.pingSeconds === null ? '—' : `${(r.pingSeconds * 1000).toFixed(2)} ms`],
  ['Memory', memory(r)],
  ['Eviction policy', r.maxmemoryPolicy ?? '—'],
  ['Evicted keys', r.evictedKeys ?? '—']
])}
${r.warnings.length === 0 ? html`<p class="ok">No memory warning.</p>` : html`<ul class="warnings">${r.warnings.map(w => html`<li>${w}</li>`)}</ul>`}
${table(['Node', 'Version', 'Mode', 'Uptime', 'Clients', 'Keys'], r.nodes.map(n => [
  n.node, n.version ?? n.error ?? '—', n.mode ?? '—', n.uptimeSeconds === null ? '—' : `${Math.floor(n.uptimeSeconds / 3600)} h ${Math.floor(n.uptimeSeconds % 3600 / 60)} min`,
  n.connectedClients ?? '—', n.keys ?? '—'
]))}</section>`)}`
}

export function redisRoutes (scope: FastifyInstance, ctx: DashboardContext): void {
  scope.get('/redis', { schema: { hide: true } as never, config: { dashboardHtml: true } as never }, async (request, reply) => {
    const pctx = ctx.pageContext(request, reply)
    return ctx.sendPage(reply, pctx, 'redis', 'Redis', redisView(await redisReport(scope)))
  })
  scope.get('/api/redis', {
    schema: {
      tags: ['dashboard'],
      summary: 'The Redis servers in use',
      description: 'Per client the pattern plugins use: reachability, PING, memory used vs maxmemory, eviction policy, memory warnings, and each node\'s version, mode, uptime, clients and keys.',
      response: {
        200: { type: 'object', description: 'The clients', properties: { clients: { type: 'array', items: reportSchema } } },
        ...errorResponses({ 401: 'Refused by `authorize` (not authenticated)', 403: 'Refused by `authorize`' })
      }
    } as FastifySchema
  }, async () => ({ clients: await redisReport(scope) }))
}

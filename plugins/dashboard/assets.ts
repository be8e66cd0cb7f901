// The dashboard's static files, served from the package (no CDN, no build step): its own script
// and stylesheet (plugins/dashboard/assets/, copied beside the compiled plugin by the build) and
// uPlot's, read from the installed `uplot` package. A fixed list read once at registration: a
// request names one of these files or gets 404, so no path ever reaches the file system.
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import type { FastifyInstance } from 'fastify'

interface Asset { body: Buffer, type: string, etag: string }

const require = createRequire(import.meta.url)
const own = (name: string): URL => new URL(`./assets/${name}`, import.meta.url)

const FILES: Record<string, { from: () => string | URL, type: string }> = {
  'dashboard.js': { from: () => own('dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { from: () => own('dashboard.css'), type: 'text/css; charset=utf-8' },
  'uPlot.iife.min.js': { from: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { from: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' }
}

let loaded: Map<string, Asset> | null = null

function load (): Map<string, Asset> {
  if (loaded !== null) return loaded
  const out = new Map<string, Asset>()
  for (const [name, f] of Object.entries(FILES)) {
    const body = readFileSync(f.from())
    out.set(name, { body, type: f.type, etag: '"' + createHash('sha256').update(body).digest('base64url').slice(0, 22) + '"' })
  }
  loaded = out
  return out
}

export function assetRoutes (scope: FastifyInstance): void {
  const assets = load()
  scope.get<{ Params: { file: string } }>('/assets/:file', {
    schema: { hide: true, params: { type: 'object', properties: { file: { type: 'string', maxLength: 40 } } } } as never
  }, async (request, reply) => {
    const a = assets.get(request.params.file)
    if (a === undefined) return await reply.code(404).type('text/plain; charset=utf-8').send('Not found')
    // Behind `authorize`, so private; revalidated by ETag after a new package version.
    reply.header('cache-control', 'private, max-age=300').header('etag', a.etag).type(a.type)
    if (request.headers['if-none-match'] === a.etag) return await reply.code(304).send()
    return await reply.send(a.body)
  })
}

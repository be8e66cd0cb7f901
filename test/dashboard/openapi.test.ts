// The dashboard's JSON API is documented: every route under <prefix>/api has the `dashboard` tag,
// a summary, a description and its statuses (401/403 from authorize among them) in the OpenAPI
// document @fastify/swagger builds; the HTML pages, forms and assets stay out of it.
import { test } from 'tap'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import fastifySwagger from '@fastify/swagger'
import { startRedis } from '../helpers/redis.js'
import { redisQueue } from '../../plugins/queue.js'
import { redisLeaderboard } from '../../plugins/leaderboard.js'
import { redisLock } from '../../plugins/lock.js'
import { redisSession } from '../../plugins/session.js'
import { redisCache } from '../../plugins/cache.js'
import { redisRateLimit } from '../../plugins/rate-limit.js'
import { redisDashboard } from '../../plugins/dashboard.js'
import { authorize } from './fixtures/app.js'

interface Operation { tags?: string[], summary?: string, description?: string, responses?: Record<string, unknown> }

test('every dashboard API route is documented; pages, forms and assets are not', async t => {
  const client = (await startRedis(t)).client()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client, closeClient: false })
  await app.register(fastifySwagger, { openapi: { openapi: '3.0.3', info: { title: 'dashboard', version: '0.0.0' } } })
  await app.register(redisRateLimit, { limit: 1000, window: 60_000 })
  await app.register(redisCache, {})
  await app.register(redisSession, { secret: 'x'.repeat(40) })
  await app.register(redisLock, {})
  await app.register(redisLeaderboard, { boards: { alltime: {} } })
  await app.register(redisQueue, { queues: ['email'] })
  await app.register(redisDashboard, { authorize })
  await app.ready()
  const paths = (app.swagger() as { paths: Record<string, Record<string, Operation>> }).paths
  const dashboard = Object.keys(paths).filter(p => p.startsWith('/dashboard'))
  t.ok(dashboard.length >= 20, `${dashboard.length} documented dashboard paths`)
  for (const p of dashboard) {
    t.ok(p.startsWith('/dashboard/api/'), `${p}: only the JSON API is documented`)
    for (const [method, op] of Object.entries(paths[p])) {
      const what = `${method} ${p}`
      t.strictSame(op.tags, ['dashboard'], `${what}: tag`)
      t.ok((op.summary ?? '').length > 0 && (op.description ?? '').length > 0, `${what}: summary and description`)
      const statuses = Object.keys(op.responses ?? {})
      t.ok(statuses.includes('200') && statuses.includes('401') && statuses.includes('403'), `${what}: 200, 401, 403 (${statuses.join(' ')})`)
      if (method === 'post') t.ok(statuses.includes('400') && statuses.includes('503'), `${what}: 400 and 503`)
    }
  }
})

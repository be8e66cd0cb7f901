// Shared set-up for the session tests: an app with @fastify/redis (given client) + redisSession
// and a few routes that exercise the session API.
import type { FastifyInstance } from 'fastify'
import type { Redis, Cluster } from 'ioredis'
import { pluginApp } from './app.js'
import { redisSession, type RedisSessionOptions } from '../../plugins/session.js'
import { commandCounts as countCommands } from './command-stats.js'

export const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long'
export const OLD_SECRET = 'an-older-secret-that-is-at-least-32-bytes-long'

interface Teardown { teardown: (fn: () => unknown) => void }

export async function buildApp (t: Teardown, client: Redis | Cluster, opts: Partial<RedisSessionOptions> = {}, extra?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  return await pluginApp(t, client, redisSession, { secret: SECRET, ...opts }, { routes: app => { sessionRoutes(app); extra?.(app) } })
}

/** Routes that exercise the session API. */
function sessionRoutes (app: FastifyInstance): void {
  app.get('/plain', async () => ({ ok: true }))
  app.get('/whoami', async req => ({ id: req.session.persisted ? req.session.id : null, userId: req.session.userId, all: req.session.all() }))
  app.get<{ Params: { name: string } }>('/get/:name', async req => ({ value: req.session.get(req.params.name) ?? null }))
  app.post<{ Body: { name: string, value: unknown } }>('/set', {
    schema: { body: { type: 'object', required: ['name', 'value'], properties: { name: { type: 'string', minLength: 1 }, value: {} } } }
  }, async req => {
    req.session.set(req.body.name, req.body.value)
    return { ok: true }
  })
  app.post<{ Params: { name: string } }>('/delete/:name', async req => ({ deleted: req.session.delete(req.params.name) }))
  app.post<{ Body: { userId: string } }>('/login', async req => {
    await req.session.setUser(req.body.userId)
    return { id: req.session.id, userId: req.session.userId }
  })
  app.post('/logout', async req => {
    await req.session.destroy()
    return { ok: true }
  })
  app.post<{ Querystring: { keep?: string } }>('/regenerate', async req => {
    await req.session.regenerate({ keepData: req.query.keep === '1' })
    return { id: req.session.id }
  })
  app.post('/touch', async req => {
    req.session.touch()
    return { ok: true }
  })
  app.get('/off', { config: { session: false } }, async () => ({ ok: true }))
}

/** The session cookie of a response: its value, or '' when it clears the cookie; undefined when absent. */
export function sidOf (res: { cookies: Array<{ name: string, value: string }> }, name = 'sid'): string | undefined {
  return res.cookies.find(c => c.name === name)?.value
}

export function cookie (sid: string, name = 'sid'): { cookie: string } {
  return { cookie: `${name}=${sid}` }
}

/** The unsigned session id of a signed cookie value. */
export function idOf (signed: string): string {
  return signed.slice(0, signed.lastIndexOf('.'))
}

interface Admin { admin: (...args: Array<string | number>) => Promise<unknown> }

/** Resets the server's command statistics. */
export async function resetStats (redis: Admin): Promise<void> {
  await redis.admin('CONFIG', 'RESETSTAT')
}

/** Commands the server ran successfully since resetStats (name -> calls), without the admin's own. */
export async function commandCounts (redis: Admin): Promise<Record<string, number>> {
  return await countCommands(redis.admin)
}

// Builds the example app the way fastify-cli does (helper.build with the exported options).
import { fileURLToPath } from 'node:url'
import helper from 'fastify-cli/helper.js'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import app, { options } from '../../example-app/app.js'

const appPath = fileURLToPath(new URL('../../example-app/app.ts', import.meta.url))

export interface BuildOptions {
  /**
   * Called with the server before the app is registered (e.g. collectNumericFields, which must
   * see every route). The app is then built as fastify-cli would (Fastify with the app's exported
   * options, the app registered with them), since fastify-cli's helper gives no such hook.
   */
  beforeRegister?: (server: FastifyInstance) => void
  /** More options of the app (e.g. `redisClusterNodes` to run it on a Cluster). */
  appOptions?: { redisClusterNodes?: string }
}

export async function buildApp (t: { teardown: (fn: () => unknown) => void }, redisUrl: string, dbPath = ':memory:', opts: BuildOptions = {}): Promise<FastifyInstance> {
  process.env.EMAIL_FAILURE_RATE ??= '0.5'
  // The TypeScript loader compiles every module on first import, inside the plugin timeout: on a
  // busy 2-core machine that takes longer than Fastify's default 10 s.
  if (opts.beforeRegister !== undefined) {
    const server = Fastify({ ...options, pluginTimeout: 120_000 })
    t.teardown(() => server.close())
    opts.beforeRegister(server)
    await server.register(app, { ...options, redisUrl, dbPath, ...opts.appOptions })
    await server.ready()
    return server
  }
  const built = await helper.build(['--options', appPath], { redisUrl, dbPath, ...opts.appOptions }, { pluginTimeout: 120_000 }) as unknown as FastifyInstance
  t.teardown(() => built.close())
  return built
}

/** The `name=value` of the session cookie a response sets, for the next request's Cookie header. */
export function sessionCookie (res: LightMyRequestResponse): string {
  const set = res.headers['set-cookie']
  const line = (Array.isArray(set) ? set : [set ?? '']).find(c => c.startsWith('sid='))
  if (line === undefined) throw new Error('no session cookie set')
  return line.split(';')[0]
}

/** Seeded accounts (all with the password 'password'): user 1 is Ada, user 11 the admin. */
export const ADA = { id: 1, email: 'ada@example.com' }
export const GRACE = { id: 2, email: 'grace@example.com' }
export const ADMIN = { id: 11, email: 'admin@example.com' }

/** Logs `who` in and returns the Cookie header value of the session. */
export async function loginAs (server: FastifyInstance, who: { email: string }, remoteAddress?: string): Promise<string> {
  const res = await server.inject({ method: 'POST', url: '/api/login', payload: { email: who.email, password: 'password' }, remoteAddress })
  if (res.statusCode !== 200) throw new Error(`login as ${who.email} answered ${res.statusCode}: ${res.body}`)
  return sessionCookie(res)
}

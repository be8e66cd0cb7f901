// Builds the example app the way fastify-cli does (helper.build with the exported options).
import { fileURLToPath } from 'node:url'
import helper from 'fastify-cli/helper.js'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

const appPath = fileURLToPath(new URL('../../example-app/app.ts', import.meta.url))

export async function buildApp (t: { teardown: (fn: () => unknown) => void }, redisUrl: string, dbPath = ':memory:'): Promise<FastifyInstance> {
  process.env.EMAIL_FAILURE_RATE ??= '0.5'
  // The TypeScript loader compiles every module on first import, inside the plugin timeout: on a
  // busy 2-core machine that takes longer than Fastify's default 10 s.
  const app = await helper.build(['--options', appPath], { redisUrl, dbPath }, { pluginTimeout: 120_000 }) as unknown as FastifyInstance
  t.teardown(() => app.close())
  return app
}

/** The `name=value` of the session cookie a response sets, for the next request's Cookie header. */
export function sessionCookie (res: LightMyRequestResponse): string {
  const set = res.headers['set-cookie']
  const line = (Array.isArray(set) ? set : [set ?? '']).find(c => c.startsWith('sid='))
  if (line === undefined) throw new Error('no session cookie set')
  return line.split(';')[0]
}

// Startup with Redis down (issue 16 item 4): a Redis server that is killed before the app starts,
// a client with short timeouts pointing at it (no @fastify/redis), and an app whose warnings are
// captured, so a test can check the single startup warning and then bring Redis up.
import Fastify, { type FastifyInstance } from 'fastify'
import { Writable } from 'node:stream'
import type { Redis } from 'ioredis'
import { startRedis, type Teardown, type TestRedis } from './redis.js'

export interface DownRedis {
  redis: TestRedis
  /** A client of the (dead) server: short timeouts, quick reconnects. */
  client: Redis
  /** Starts the server again on its port; the client reconnects by itself. */
  up: () => Promise<void>
}

export async function downRedis (t: Teardown): Promise<DownRedis> {
  const redis = await startRedis(t)
  await redis.kill()
  const client = redis.client({
    commandTimeout: 500,
    connectTimeout: 500,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 100
  })
  return { redis, client, up: async () => await redis.restart() }
}

export interface LoggedApp {
  app: FastifyInstance
  /** Parsed log lines at warn level and above. */
  warnings: () => Array<{ msg: string, err?: unknown, level: number }>
}

/** A Fastify app logging at warn level into memory; closed at teardown. */
export function loggedApp (t: Teardown): LoggedApp {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, cb) { lines.push(String(chunk)); cb() } })
  const app = Fastify({ logger: { level: 'warn', stream } })
  t.teardown(() => app.close())
  return { app, warnings: () => lines.flatMap(l => l.split('\n')).filter(l => l !== '').map(l => JSON.parse(l)) }
}

/** The startup warning check shared by the six tests: one line, no error object (no stack). */
export function startupWarnings (logged: LoggedApp, pattern: string): Array<{ msg: string, err?: unknown }> {
  return logged.warnings().filter(w => w.msg.startsWith(`${pattern}: Redis unavailable at startup`))
}

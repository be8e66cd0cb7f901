// The session secret in production (issue 15 item 8): the app fell back to a secret hard-coded
// in the source when SESSION_SECRET was unset, even with NODE_ENV=production, so anyone could
// forge a session cookie for any user, the admin included. Now `npm start` and the app itself
// refuse to start, saying why; development keeps the fallback with a warning.
import { test } from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import app, { options } from '../../example-app/app.js'
import { DEV_SESSION_SECRET, MISSING_SECRET } from '../../example-app/auth/session-secret.js'
import { startRedis, type Teardown } from '../helpers/redis.js'

const startPath = fileURLToPath(new URL('../../example-app/start.ts', import.meta.url))

/** Sets (or, with undefined, deletes) environment variables until the test ends. */
function withEnv (t: Teardown, vars: Record<string, string | undefined>): void {
  const saved = Object.fromEntries(Object.keys(vars).map(k => [k, process.env[k]]))
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k]
      else process.env[k] = val
    }
  }
  apply(vars)
  t.teardown(() => apply(saved))
}

async function boot (t: Teardown, redisUrl: string, lines?: string[]) {
  const stream = new Writable({ write (chunk, _enc, done) { lines?.push(String(chunk)); done() } })
  const server = Fastify({ ...options, pluginTimeout: 120_000, logger: lines === undefined ? false : { level: 'warn', stream } })
  t.teardown(() => server.close())
  await server.register(app, { redisUrl, dbPath: ':memory:' })
  return server
}

test('the app refuses to start in production without SESSION_SECRET, naming it', async t => {
  const redis = await startRedis(t)
  withEnv(t, { NODE_ENV: 'production', SESSION_SECRET: undefined })
  await t.rejects(boot(t, redis.url), { message: MISSING_SECRET })
  t.match(MISSING_SECRET, /SESSION_SECRET is required when NODE_ENV=production/)
})

test('an empty SESSION_SECRET, or the development one, is refused in production too', async t => {
  const redis = await startRedis(t)
  withEnv(t, { NODE_ENV: 'production', SESSION_SECRET: '' })
  await t.rejects(boot(t, redis.url), { message: MISSING_SECRET }, 'empty')
  process.env.SESSION_SECRET = DEV_SESSION_SECRET
  await t.rejects(boot(t, redis.url), { message: MISSING_SECRET }, 'the development secret')
})

test('production starts with SESSION_SECRET set', async t => {
  const redis = await startRedis(t)
  withEnv(t, { NODE_ENV: 'production', SESSION_SECRET: 'a-production-secret-of-at-least-32-characters' })
  const server = await boot(t, redis.url)
  t.equal((await server.inject('/health')).statusCode, 200)
})

test('development without SESSION_SECRET starts with the fallback and logs a warning', async t => {
  const redis = await startRedis(t)
  withEnv(t, { NODE_ENV: 'development', SESSION_SECRET: undefined })
  const lines: string[] = []
  const server = await boot(t, redis.url, lines)
  await server.ready()
  t.equal((await server.inject('/health')).statusCode, 200)
  t.ok(lines.some(l => l.includes('"level":40') && l.includes('SESSION_SECRET is unset')), 'one warning line says so')
})

test('npm start (example-app/start.ts) exits 1 with the message in production without SESSION_SECRET', async t => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', PORT: '0' }
  delete env.SESSION_SECRET
  // A Redis URL nothing listens on: the refusal must come before any Redis is touched.
  env.REDIS_URL = 'redis://127.0.0.1:1'
  // The child runs the TypeScript source with the loader this test process runs under.
  const loader = process.execArgv.filter(a => a.includes('typescript'))
  const child = spawn(process.execPath, [...loader, startPath], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += String(d) })
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  t.equal(code, 1, 'exit code 1')
  t.ok(stderr.includes(MISSING_SECRET), `stderr names SESSION_SECRET (${stderr.trim().slice(0, 300)})`)
})

// docs/session.md, cookie options: `cookie.secure: 'auto'` "sets it on HTTPS requests only
// (request.protocol, so mind trustProxy)", and `cookie.path` / `cookie.domain` scope the cookie:
// they appear on every Set-Cookie the plugin sends, the clearing ones included (a browser only
// clears a cookie whose path and domain match).
import { test } from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyServerOptions } from 'fastify'
import fastifyRedis from '@fastify/redis'
import { redisSession, type RedisSessionOptions } from '../../plugins/session.js'
import { startRedis, type TestRedis } from '../helpers/redis.js'
import { buildApp, cookie, sidOf, SECRET } from '../helpers/session.js'

interface Teardown { teardown: (fn: () => unknown) => void }

/** A listening app (real sockets) with one route that creates a session. */
async function listening (t: Teardown, redis: TestRedis, server: FastifyServerOptions & { https?: { key: Buffer, cert: Buffer } }, opts: Partial<RedisSessionOptions>): Promise<string> {
  const app = Fastify(server as FastifyServerOptions)
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client: redis.client(), closeClient: false })
  await app.register(redisSession, { secret: SECRET, ...opts })
  app.post('/set', async req => { req.session.set('a', 1); return { ok: true } })
  return await app.listen({ port: 0, host: '127.0.0.1' })
}

/** POSTs /set and returns the response's Set-Cookie header lines. */
async function setCookies (base: string, headers: Record<string, string> = {}): Promise<string[]> {
  const url = new URL('/set', base)
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return await new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, rejectUnauthorized: false }, res => {
      res.resume()
      res.on('end', () => { res.statusCode === 200 ? resolve(res.headers['set-cookie'] ?? []) : reject(new Error(`status ${String(res.statusCode)}`)) })
    })
    req.on('error', reject)
    req.end()
  })
}

/** A throwaway self-signed certificate for localhost (null without openssl). */
function selfSignedCert (): { key: Buffer, cert: Buffer } | null {
  const dir = mkdtempSync(join(tmpdir(), 'frp-tls-'))
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=localhost', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }
  } catch {
    return null
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const hasSecure = (line: string): boolean => line.split(';').some(p => p.trim().toLowerCase() === 'secure')

test("cookie.secure: 'auto'", async t => {
  const redis = await startRedis(t)
  const auto = { cookie: { secure: 'auto' as const } }

  const pem = selfSignedCert()
  await t.test('over HTTPS (a real TLS listener): Secure', { skip: pem === null ? 'openssl is not available' : false }, async t => {
    if (pem === null) return
    const base = await listening(t, redis, { https: pem }, auto)
    t.match(base, /^https:/)
    const lines = (await setCookies(base)).filter(l => l.startsWith('sid='))
    t.equal(lines.length, 1, 'the session cookie is set')
    t.ok(hasSecure(lines[0]), lines[0])
  })

  await t.test('over plain HTTP (a real listener): no Secure', async t => {
    const base = await listening(t, redis, {}, auto)
    const lines = (await setCookies(base)).filter(l => l.startsWith('sid='))
    t.equal(lines.length, 1)
    t.notOk(hasSecure(lines[0]), lines[0])
  })

  await t.test('behind a proxy: X-Forwarded-Proto counts only with trustProxy', async t => {
    const trusted = await listening(t, redis, { trustProxy: true }, auto)
    const viaProxy = (await setCookies(trusted, { 'x-forwarded-proto': 'https' })).filter(l => l.startsWith('sid='))
    t.ok(hasSecure(viaProxy[0]), `trustProxy + X-Forwarded-Proto: https: ${viaProxy[0]}`)
    const direct = (await setCookies(trusted)).filter(l => l.startsWith('sid='))
    t.notOk(hasSecure(direct[0]), 'trustProxy, plain HTTP without the header: no Secure')
    const untrusted = await listening(t, redis, {}, auto)
    const spoofed = (await setCookies(untrusted, { 'x-forwarded-proto': 'https' })).filter(l => l.startsWith('sid='))
    t.notOk(hasSecure(spoofed[0]), 'without trustProxy the header is ignored')
  })

  await t.test('the default (true) is Secure even over plain HTTP', async t => {
    const base = await listening(t, redis, {}, {})
    const lines = (await setCookies(base)).filter(l => l.startsWith('sid='))
    t.ok(hasSecure(lines[0]), lines[0])
  })
})

test('cookie.path and cookie.domain', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client(), { cookie: { path: '/app', domain: 'example.com' } })
  const scoped = (res: { cookies: Array<{ name: string, path?: string, domain?: string }> }): unknown => {
    const c = res.cookies.find(x => x.name === 'sid')
    return c === undefined ? undefined : { path: c.path, domain: c.domain }
  }
  const want = { path: '/app', domain: 'example.com' }

  const created = await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })
  t.strictSame(scoped(created), want, 'on a new session')
  const sid = sidOf(created)!

  const login = await app.inject({ method: 'POST', url: '/login', payload: { userId: 'u1' }, headers: cookie(sid) })
  t.strictSame(scoped(login), want, 'on the new id after login')
  const loggedIn = sidOf(login)!

  const logout = await app.inject({ method: 'POST', url: '/logout', headers: cookie(loggedIn) })
  t.equal(sidOf(logout), '', 'logout clears the cookie')
  t.strictSame(scoped(logout), want, 'the clearing cookie has the same path and domain')

  const tampered = await app.inject({ url: '/whoami', headers: cookie(sid.slice(0, -2) + 'xx') })
  t.equal(sidOf(tampered), '', 'a tampered cookie is cleared')
  t.strictSame(scoped(tampered), want, 'with the same path and domain')

  const defaults = await buildApp(t, redis.client(), { prefix: 'dflt' })
  const d = (await defaults.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 } })).cookies.find(x => x.name === 'sid')
  t.equal(d?.path, '/', "default path '/'")
  t.equal(d?.domain, undefined, 'no Domain by default')
})

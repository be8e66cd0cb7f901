// Case "session": one session value read+written per request, and read-only, ours vs
// @fastify/session + connect-redis 8 (ioredis), same run. Each autocannon connection has its own
// session, created beforehand through the same server code against the same Redis.
import { compare, httpReqPerSec, table, CONNECTIONS } from '../lib/harness.js'

async function cookies (serverModule, env, n) {
  const { build } = await import(new URL(`../servers/${serverModule}`, import.meta.url).href)
  const app = await build(env)
  try {
    const out = []
    for (let i = 0; i < n; i++) {
      const res = await app.inject({ method: 'POST', url: '/init' })
      const c = res.cookies.find(x => x.name === 'sid' || x.name === 'sessionId')
      if (res.statusCode !== 200 || c === undefined) throw new Error(`${serverModule}: /init failed (${res.statusCode})`)
      out.push(`${c.name}=${c.value}`)
    }
    return out
  } finally {
    await app.close()
  }
}

function perConnection (path, jar) {
  let next = 0
  return {
    requests: [{
      method: 'GET',
      path,
      setupRequest (req, context) {
        context.cookie ??= jar[next++ % jar.length]
        return { ...req, headers: { ...req.headers, cookie: context.cookie } }
      }
    }]
  }
}

export default async function session ({ redisUrl }) {
  const env = { BENCH_REDIS_URL: redisUrl }
  const ours = await cookies('session-ours.js', env, CONNECTIONS)
  const anchor = await cookies('session-anchor.js', env, CONNECTIONS)
  const rw = await compare('read + write one value', 'req/s', [
    { name: 'fastify-redis-patterns session', run: () => httpReqPerSec('bench/servers/session-ours.js', env, perConnection('/rw', ours)) },
    { name: '@fastify/session + connect-redis 8', run: () => httpReqPerSec('bench/servers/session-anchor.js', env, perConnection('/rw', anchor)) }
  ])
  const r = await compare('read only', 'req/s', [
    { name: 'fastify-redis-patterns session', run: () => httpReqPerSec('bench/servers/session-ours.js', env, perConnection('/r', ours)) },
    { name: '@fastify/session + connect-redis 8', run: () => httpReqPerSec('bench/servers/session-anchor.js', env, perConnection('/r', anchor)) }
  ])
  return [table(rw, '@fastify/session + connect-redis 8'), table(r, '@fastify/session + connect-redis 8')]
}

// Case "session": one session value read+written per request, and read-only, ours vs
// @fastify/session + connect-redis 8 (ioredis), same run. Each autocannon connection has its own
// session, created beforehand through the same server code against the same Redis.
import { fileURLToPath } from 'node:url'
import { compare, httpReqPerSec, table, CONNECTIONS } from '../lib/harness.js'
import { perConnection, sessionCookies } from '../lib/session-jar.js'

const cookies = (serverModule, env, n) => sessionCookies(fileURLToPath(new URL(`../servers/${serverModule}`, import.meta.url)), env, n)

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

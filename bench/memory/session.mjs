// Redis bytes per session with a typical payload (a user id and 5 fields), ours vs
// @fastify/session 11 + connect-redis 8 (`sess:<id>` -> the session as a JSON string, with a TTL)
// on the same server. Ours is created through SessionStore with its default options, as a login
// does (the session bound to its user, so the per-user index is counted); the anchor through a
// Fastify app with its documented setup (a route setting the same 6 values). Each user has one
// session. `node bench/memory/session.mjs [redis://host:port] [n]` prints a markdown table
// (without a URL it starts a redis-server of its own; it FLUSHALLs the server it is given).
import { register } from 'node:module'
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import { SessionStore, newSessionId, userTag } from '../../dist/index.js'
import { breakdown, client, delta, runProbe } from './measure.mjs'

register('../servers/session-anchor-shim-hooks.js', import.meta.url)
const { RedisStore } = await import('connect-redis')

/** The typical payload: user i's id and 5 fields. */
export function payload (i) {
  return {
    userId: String(100000 + i),
    fields: { name: `User ${i}`, email: `user${i}@example.com`, role: 'member', locale: 'en-GB', cart: ['sku-1', 'sku-2'] }
  }
}

/** A browser's metadata, what the plugin records by default (`metadata: true`). */
const METADATA = {
  userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  ip: '203.0.113.7'
}

function ours (redisUrl, storeOptions = {}, metadata = null) {
  return async (n, from = 0) => {
    const redis = client(redisUrl)
    const store = new SessionStore(redis, storeOptions)
    const BATCH = 200
    for (let i = from; i < from + n; i += BATCH) {
      const writes = []
      for (let j = i; j < Math.min(i + BATCH, from + n); j++) {
        const { userId, fields } = payload(j)
        const flat = []
        for (const [k, v] of Object.entries(fields)) flat.push(k, store.codec.encode(v))
        writes.push(store.create(newSessionId(userTag(userId)), flat, { userId, metadata }))
      }
      await Promise.all(writes)
    }
    redis.disconnect()
  }
}

function anchor (redisUrl) {
  return async (n, from = 0) => {
    const redis = client(redisUrl)
    const app = Fastify()
    await app.register(fastifyCookie)
    await app.register(fastifySession, {
      secret: 'bench-secret-bench-secret-bench-secret-0123456789',
      store: new RedisStore({ client: redis }),
      cookie: { secure: false }
    })
    app.post('/login/:i', async req => {
      const { userId, fields } = payload(Number(req.params.i))
      req.session.set('userId', userId)
      for (const [k, v] of Object.entries(fields)) req.session.set(k, v)
      return { ok: true }
    })
    await app.ready()
    const BATCH = 200
    for (let i = from; i < from + n; i += BATCH) {
      const logins = []
      for (let j = i; j < Math.min(i + BATCH, from + n); j++) logins.push(app.inject({ method: 'POST', url: `/login/${j}` }))
      for (const res of await Promise.all(logins)) if (res.statusCode !== 200) throw new Error(`anchor login: ${res.statusCode}`)
    }
    await app.close()
    redis.disconnect()
  }
}

async function perSession (redisUrl, n, fillOurs) {
  const redis = client(redisUrl)
  try {
    const a = anchor(redisUrl)
    return {
      ours: await delta(redis, () => fillOurs(n, 1), () => fillOurs(1)) / n,
      anchor: await delta(redis, () => a(n, 1), () => a(1)) / n
    }
  } finally {
    redis.disconnect()
  }
}

/** Bytes per session, ours with SessionStore's defaults: { ours, anchor }. */
export const sessions = (redisUrl, n) => perSession(redisUrl, n, ours(redisUrl))
/** Bytes per session, ours with the metadata the plugin records by default: { ours, anchor }. */
export const sessionsWithMetadata = (redisUrl, n) => perSession(redisUrl, n, ours(redisUrl, {}, METADATA))

/** Where the bytes of n sessions go, per key class, with the exact encodings. */
export async function sessionBreakdown (redisUrl, n) {
  const redis = client(redisUrl)
  try {
    await redis.flushall()
    await ours(redisUrl)(n)
    await anchor(redisUrl)(n)
    const out = {
      ours: await breakdown(redis, 'frp:*', k => k.replace(/\{[^}]*\}/, '{tag}').replace(/:s:.*/, ':s:<secret>')),
      anchor: await breakdown(redis, 'sess:*', () => 'sess:<id>')
    }
    const [one] = (await redis.scan('0', 'MATCH', 'frp:session:*:s:*', 'COUNT', 1000))[1]
    out.oursEncoding = await redis.object('ENCODING', one)
    out.oursTtl = await redis.pttl(one)
    return out
  } finally {
    redis.disconnect()
  }
}

/** Bytes per session, ours without the per-user index (userIndex: false): { ours, anchor }. */
export const sessionsWithoutIndex = (redisUrl, n) => perSession(redisUrl, n, ours(redisUrl, { userIndex: false }))

/** Every row of the table: [label, ours, anchor] in bytes per session. */
export default async function sessionMemory (redisUrl, n) {
  const d = await sessions(redisUrl, n)
  const m = await sessionsWithMetadata(redisUrl, n)
  const x = await sessionsWithoutIndex(redisUrl, n)
  return [
    [`${n} sessions (user id + 5 fields), SessionStore defaults (per-user index on, one session per user)`, d.ours, d.anchor],
    [`${n} sessions, with the plugin's default metadata (user agent, ip)`, m.ours, m.anchor],
    [`${n} sessions, userIndex: false`, x.ours, x.anchor]
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) await runProbe('sessions (@fastify/session + connect-redis anchor)', sessionMemory, sessionBreakdown)

import { test } from 'tap'
import Fastify from 'fastify'
import app, { options } from '../../example-app/app.js'
import { startRedis, eventually } from '../helpers/redis.js'

test('GET /health reports Redis (each client in use) and SQLite up, then a 503 when Redis dies', async t => {
  const redis = await startRedis(t)
  const server = Fastify({ ...options, pluginTimeout: 120_000 })
  await server.register(app, { redisUrl: redis.url, dbPath: ':memory:' })
  let closed = false
  t.teardown(() => closed ? undefined : server.close())
  const up = await server.inject('/health')
  t.equal(up.statusCode, 200)
  t.equal(up.json().redis.status, 'up')
  t.equal(up.json().sqlite.status, 'up')
  // Every pattern plugin uses fastify.redis: one client, holding all eight patterns.
  const [client] = up.json().redis.clients
  t.equal(up.json().redis.clients.length, 1)
  t.match(client, { name: 'default', up: true, pingMs: Number, usedMemoryBytes: Number, maxmemoryBytes: 0, maxmemoryPolicy: 'noeviction', evictedKeys: 0 })
  t.strictSame([...client.patterns].sort(), ['activity', 'cache', 'leaderboard', 'lock', 'otp', 'queue', 'rate-limit', 'session'])
  t.match(client.warnings, [/maxmemory is 0 \(no limit\) on a Redis that holds cache entries/], 'the memory watch: a cache on a Redis with no limit')
  await redis.kill()
  // Readings are cached for a second, until the client sees its connection close.
  const down = (await eventually(async () => { const r = await server.inject('/health'); return r.statusCode === 503 ? r : null }, { what: 'a 503' }))!
  t.equal(down.statusCode, 503)
  t.equal(down.json().redis.status, 'down')
  t.equal(down.json().status, 'degraded')
  t.match(down.json().redis.clients, [{ name: 'default', up: false, error: String, pingMs: null, warnings: [] }])
  // Regression: @fastify/redis's bare QUIT rejected while Redis was down and left the client
  // reconnecting, so close() failed and the process never exited.
  await t.resolves(server.close(), 'shuts down cleanly while Redis is down')
  closed = true
})

import { test } from 'tap'
import Fastify from 'fastify'
import app, { options } from '../../example-app/app.js'
import { startRedis } from '../helpers/redis.js'

test('GET /health reports Redis and SQLite up, then a 503 when Redis dies', async t => {
  const redis = await startRedis(t)
  const server = Fastify({ ...options, pluginTimeout: 120_000 })
  await server.register(app, { redisUrl: redis.url, dbPath: ':memory:' })
  let closed = false
  t.teardown(() => closed ? undefined : server.close())
  const up = await server.inject('/health')
  t.equal(up.statusCode, 200)
  t.equal(up.json().redis.status, 'up')
  t.equal(up.json().sqlite.status, 'up')
  await redis.kill()
  const down = await server.inject('/health')
  t.equal(down.statusCode, 503)
  t.equal(down.json().redis.status, 'down')
  t.equal(down.json().status, 'degraded')
  // Regression: @fastify/redis's bare QUIT rejected while Redis was down and left the client
  // reconnecting, so close() failed and the process never exited.
  await t.resolves(server.close(), 'shuts down cleanly while Redis is down')
  closed = true
})

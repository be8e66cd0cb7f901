import { test } from 'tap'
import Fastify from 'fastify'
import app from '../../example-app/app.js'
import { startRedis } from '../helpers/redis.js'

test('GET /health reports Redis up, then down with a 503 when Redis dies', async t => {
  const redis = await startRedis(t)
  const server = Fastify()
  await server.register(app, { redisUrl: redis.url })
  t.teardown(() => server.close())
  const up = await server.inject('/health')
  t.equal(up.statusCode, 200)
  t.equal(up.json().redis.status, 'up')
  await redis.kill()
  const down = await server.inject('/health')
  t.equal(down.statusCode, 503)
  t.equal(down.json().redis.status, 'down')
})

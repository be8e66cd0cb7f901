// The app boots the way `fastify start` does (fastify-cli's helper), with its exported options.
import { test } from 'tap'
import { fileURLToPath } from 'node:url'
import helper from 'fastify-cli/helper.js'
import { startRedis } from '../helpers/redis.js'

const appPath = fileURLToPath(new URL('../../example-app/app.ts', import.meta.url))

test('fastify-cli builds the example app from app.ts and its options', async t => {
  const redis = await startRedis(t)
  const app = await helper.build(['--options', appPath], { redisUrl: redis.url, dbPath: ':memory:' }, { pluginTimeout: 120_000 })
  t.teardown(() => app.close())
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  t.equal(res.json().status, 'ok')
})

// Regression (issue 20's closing note: "recipe routes answer 500 not 503 when Redis is down"): the
// recipes call Redis directly, and ioredis's own errors reached Fastify as 500s. Through
// recipes/redis-call.ts they are the same coded 503 the pattern plugins answer, naming the command.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { buildApp } from '../helpers/example-app.js'

test('with Redis gone, the recipe routes answer a coded 503, never a 500', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  t.equal((await app.inject('/api/posts?tags=redis')).statusCode, 200, 'up: the tag query works')
  await redis.kill()
  for (const url of ['/api/posts?tags=redis&match=all', '/api/posts?tags=redis&match=any', '/api/posts?tags=redis&match=not', '/api/posts/1/tags']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 503, `${url}: 503`)
    t.match(res.json(), { statusCode: 503, code: /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/ }, `${url}: a coded error`)
  }
})

import { test } from 'tap'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { startRedis } from '../helpers/redis.js'
import { Cache } from '../../lib/cache/cache.js'
import { redisCache } from '../../plugins/cache.js'
import { buildApp } from './fixtures/app.js'

test('invalid or unknown options fail at construction with a message naming the option', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  t.throws(() => new Cache(client, { ttl: -1 }), { code: 'FRP_INVALID_OPTION', message: /cache\.ttl/ })
  t.throws(() => new Cache(client, { l1: { maxEntries: 0 } }), { message: /cache\.l1\.maxEntries/ })
  t.throws(() => new Cache(client, { tll: 5 } as never), { message: /cache\.tll.*unknown option/ })
  t.throws(() => new Cache(client, { jitter: 2 }), { message: /jitter/ })
  const cache = new Cache(client, { prefix: 'o' })
  t.teardown(() => cache.close())
  await t.rejects(cache.wrap('k', async () => 1, { ttl: 0 }), { message: /ttl/ })
  await t.rejects(cache.wrap('k', async () => 1, { tags: 'x' } as never), { message: /tags/ })
  await t.rejects(cache.wrap('', async () => 1), { message: /key/ })
  t.throws(() => cache.writeBehind('w', {} as never), { message: /flush/ })
})

test('the plugin rejects unknown options and invalid route config at registration', async t => {
  const redis = await startRedis(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client: redis.client(), closeClient: false })
  app.register(redisCache, { ttll: 1 } as never)
  await t.rejects(async () => { await app.ready() }, { message: /redisCache\.ttll/ })

  await t.rejects(async () => {
    await buildApp(t, redis.client(), {}, app => {
      app.get('/x', { config: { cache: { ttl: 'soon' } as never } }, async () => 1)
    })
  }, { message: /config\.cache\.ttl/ })
  await t.rejects(async () => {
    await buildApp(t, redis.client(), {}, app => {
      app.get('/y', { config: { cache: { vary: 'accept' } as never } }, async () => 1)
    })
  }, { message: /config\.cache\.vary/ })
})

test('the plugin uses a @fastify/redis namespace or an explicit client', async t => {
  const redis = await startRedis(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client: redis.client(), namespace: 'cachedb', closeClient: false })
  await app.register(redisCache, { namespace: 'cachedb', prefix: 'ns' })
  await app.ready()
  await app.cache.set('k', 1)
  t.equal(await app.cache.get('k'), 1)

  const missing = Fastify()
  t.teardown(() => missing.close())
  await missing.register(fastifyRedis, { client: redis.client(), namespace: 'other', closeClient: false })
  missing.register(redisCache, { namespace: 'nope' })
  await t.rejects(async () => { await missing.ready() }, { message: /namespace/ })
})

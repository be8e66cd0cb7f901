// View counters and recently viewed products: every GET /api/products/:id counts a view (INCR,
// returned with the product); a logged-in viewer's capped list (LREM + LPUSH + LTRIM in one
// MULTI) puts the product first, once, and GET /api/me/recently-viewed shows it.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { ADA, GRACE, buildApp, loginAs } from '../helpers/example-app.js'
import { RECENT_CAP, RECENT_TTL_SECONDS } from '../../example-app/recipes/recently-viewed.js'

test('each product view is counted and shown with the product', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  const view = async (id: number | string) => await app.inject(`/api/products/${id}`)
  t.match((await view(2)).json(), { id: 2, name: 'Product 2', views: 1 })
  t.equal((await view(2)).json().views, 2)
  t.equal((await view(3)).json().views, 1, 'per product')
  t.equal((await view(2)).json().views, 3, 'cached product, live counter')
  t.equal(await redis.client().get('example:views:{product:2}'), '3')

  const client = redis.client()
  t.equal((await view(12345)).statusCode, 404)
  t.equal(await client.exists('example:views:{product:12345}'), 0, 'an unknown product is not counted')
  for (const id of ['0', '-1', 'abc', '1e309', '2147483648']) {
    const res = await view(id)
    t.equal(res.statusCode, 400, `id ${id}`)
    t.match(res.json().message, 'id')
  }
  t.strictSame((await client.keys('example:views:*')).sort(), ['example:views:{product:2}', 'example:views:{product:3}'], 'nothing else written')
})

test('recently viewed: newest first, a repeat moves to the front, capped, per user, with a TTL', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  const ada = await loginAs(app, ADA, '10.0.4.1')
  const grace = await loginAs(app, GRACE, '10.0.4.2')
  const view = async (cookie: string | undefined, id: number) =>
    t.equal((await app.inject({ url: `/api/products/${id}`, headers: cookie === undefined ? {} : { cookie } })).statusCode, 200)
  const recent = async (cookie: string) =>
    (await app.inject({ url: '/api/me/recently-viewed', headers: { cookie } })).json().products.map((p: { id: number }) => p.id)

  t.equal((await app.inject('/api/me/recently-viewed')).statusCode, 401, 'for logged-in users')
  t.strictSame(await recent(ada), [], 'empty at first')
  for (const id of [1, 2, 3]) await view(ada, id)
  await view(grace, 9)
  await view(undefined, 8)
  t.strictSame(await recent(ada), [3, 2, 1], 'newest first')
  await view(ada, 1)
  t.strictSame(await recent(ada), [1, 3, 2], 'a repeat moves to the front, listed once')
  t.strictSame(await recent(grace), [9], 'per user; anonymous views are not listed')

  // As many products as the cap, then one more view.
  for (let id = 1; id <= 10; id++) await view(ada, id)
  const list = await recent(ada)
  t.equal(list.length, RECENT_CAP)
  t.strictSame(list, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
  await view(ada, 5)
  t.strictSame((await recent(ada)).slice(0, 2), [5, 10])
  t.equal(await redis.client().llen('example:recent:{user:1}'), RECENT_CAP, 'the list never grows past the cap')
  const ttl = await redis.client().ttl('example:recent:{user:1}')
  t.ok(ttl > RECENT_TTL_SECONDS - 60 && ttl <= RECENT_TTL_SECONDS, `TTL refreshed on each view (${ttl})`)
})

test('with Redis down a product is still served, its view uncounted, never a 500 from the counter', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  t.equal((await app.inject('/api/products/6')).json().views, 1)
  await redis.kill()
  const res = await app.inject('/api/products/6')
  // The cached product comes from the cache's L1 (or the cache answers its own coded error):
  // the view counter alone never turns the answer into a 500.
  t.not(res.statusCode, 500, res.body)
  if (res.statusCode === 200) t.match(res.json(), { id: 6, views: null })
})

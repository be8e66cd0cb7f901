// The admin TTL route: GET shows a key's TTL, PUT { expireAt } sets it (EXPIREAT), DELETE removes
// it (PERSIST), only for the whitelisted key families and only for admins; bad input is a 400
// naming the field, with the key left as it was.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { ADA, ADMIN, buildApp, loginAs } from '../helpers/example-app.js'

test('admins read, set and remove the TTL of a whitelisted key family', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  const admin = await loginAs(app, ADMIN, '10.0.5.1')
  const ada = await loginAs(app, ADA, '10.0.5.2')
  const client = redis.client()
  const url = '/api/admin/ttl/product-views/2'
  const send = async (method: 'GET' | 'PUT' | 'DELETE', cookie: string | undefined, path = url, payload?: object) =>
    await app.inject({ method, url: path, headers: cookie === undefined ? {} : { cookie }, payload })

  t.equal((await send('GET', admin)).statusCode, 200)
  t.match((await send('GET', admin)).json(), { family: 'product-views', id: 2, key: 'example:views:{product:2}', exists: false, ttlSeconds: null })
  t.equal((await send('PUT', admin, url, { expireAt: Math.floor(Date.now() / 1000) + 3600 })).statusCode, 404, 'no key to expire')

  await app.inject('/api/products/2')
  t.match((await send('GET', admin)).json(), { exists: true, ttlSeconds: null, expiresAt: null }, 'counters never expire by default')

  const [now] = await client.time()
  const at = Number(now) + 3600
  const set = await send('PUT', admin, url, { expireAt: at })
  t.equal(set.statusCode, 200)
  t.ok(set.json().ttlSeconds > 3500 && set.json().ttlSeconds <= 3600, `TTL ${set.json().ttlSeconds}`)
  t.equal(await client.expiretime('example:views:{product:2}'), at, 'EXPIREAT')
  t.equal(Math.round(Date.parse(set.json().expiresAt) / 1000), at)

  const persisted = await send('DELETE', admin)
  t.match(persisted.json(), { persisted: true, exists: true, ttlSeconds: null })
  t.equal(await client.ttl('example:views:{product:2}'), -1, 'PERSIST')
  t.equal((await send('DELETE', admin)).json().persisted, false, 'already persistent')
  t.equal((await send('DELETE', admin, '/api/admin/ttl/product-views/3')).statusCode, 404, 'no such key')

  await app.inject({ url: '/api/products/4', headers: { cookie: ada } })
  t.match((await send('GET', admin, '/api/admin/ttl/recently-viewed/1')).json(), { key: 'example:recent:{user:1}', exists: true })
  t.ok((await send('GET', admin, '/api/admin/ttl/recently-viewed/1')).json().ttlSeconds > 0, 'the list expires')

  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    const payload = method === 'PUT' ? { expireAt: at } : undefined
    t.equal((await send(method, undefined, url, payload)).statusCode, 401, `${method} anonymous`)
    t.equal((await send(method, ada, url, payload)).statusCode, 403, `${method} member`)
  }
  t.equal(await client.ttl('example:views:{product:2}'), -1, 'members changed nothing')
})

test('bad families, ids and times are a 400 naming the field, and change nothing', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  const admin = await loginAs(app, ADMIN, '10.0.5.3')
  const client = redis.client()
  await app.inject('/api/products/2')
  const key = 'example:views:{product:2}'
  await client.set('secret', 'not a family')
  const put = async (path: string, payload: object) => await app.inject({ method: 'PUT', url: path, headers: { cookie: admin }, payload })
  const [now] = await client.time()

  const cases: Array<[string, object, string]> = [
    ['/api/admin/ttl/sessions/1', { expireAt: Number(now) + 60 }, 'family'],
    ['/api/admin/ttl/secret/1', { expireAt: Number(now) + 60 }, 'family'],
    ['/api/admin/ttl/product-views/0', { expireAt: Number(now) + 60 }, 'id'],
    ['/api/admin/ttl/product-views/2147483648', { expireAt: Number(now) + 60 }, 'id'],
    ['/api/admin/ttl/product-views/abc', { expireAt: Number(now) + 60 }, 'id'],
    ['/api/admin/ttl/product-views/2', {}, 'expireAt'],
    ['/api/admin/ttl/product-views/2', { expireAt: 'tomorrow' }, 'expireAt'],
    ['/api/admin/ttl/product-views/2', { expireAt: 1.5 }, 'expireAt'],
    ['/api/admin/ttl/product-views/2', { expireAt: 1e20 }, 'expireAt'],
    ['/api/admin/ttl/product-views/2', { expireAt: Number(now) - 10 }, 'expireAt'],
    ['/api/admin/ttl/product-views/2', { expireAt: Number(now) + 60, key: 'secret' }, 'additional properties']
  ]
  for (const [path, payload, field] of cases) {
    const res = await put(path, payload)
    t.equal(res.statusCode, 400, `${path} ${JSON.stringify(payload)}`)
    t.match(res.json().message, field)
  }
  t.equal((await app.inject({ method: 'DELETE', url: '/api/admin/ttl/..%2Fsecret/1', headers: { cookie: admin } })).statusCode, 400)
  t.equal(await client.get(key), '1', 'the counter is still there')
  t.equal(await client.ttl(key), -1, 'and never expires')
  t.equal(await client.ttl('secret'), -1, 'a key outside the families is never touched')
})

import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { buildApp, sidOf, cookie } from './helpers.js'

test('smoke', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client())
  let res = await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: { x: 1 } } })
  t.equal(res.statusCode, 200, res.body)
  const sid = sidOf(res) as string
  t.ok(sid)
  console.log(res.headers['set-cookie'])
  res = await app.inject({ url: '/get/a', headers: cookie(sid) })
  t.same(res.json(), { value: { x: 1 } })
  res = await app.inject({ method: 'POST', url: '/login', headers: cookie(sid), payload: { userId: 'u1' } })
  console.log(res.body, res.headers['set-cookie'])
  const sid2 = sidOf(res) as string
  res = await app.inject({ url: '/whoami', headers: cookie(sid2) })
  console.log(res.body)
  console.log(await app.sessions.listForUser('u1'))
  res = await app.inject({ url: '/whoami', headers: cookie(sid) })
  console.log(res.body, res.headers['set-cookie'])
})

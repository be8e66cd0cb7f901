// Secret rotation: sign with the first secret, accept all; cookies signed with an older secret
// are re-signed with the current one.
import { test } from 'tap'
import { Signer } from '@fastify/cookie'
import { startRedis } from '../helpers/redis.js'
import { buildApp, sidOf, cookie, idOf, SECRET, OLD_SECRET } from '../helpers/session.js'

test('a cookie signed with an older secret is accepted and re-signed with the current one', async t => {
  const redis = await startRedis(t)
  const before = await buildApp(t, redis.client(), { secret: OLD_SECRET })
  const oldSid = sidOf(await before.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 'kept' } })) as string

  const rotated = await buildApp(t, redis.client(), { secret: [SECRET, OLD_SECRET] })
  const res = await rotated.inject({ url: '/get/a', headers: cookie(oldSid) })
  t.strictSame(res.json(), { value: 'kept' })
  const newSid = sidOf(res) as string
  t.ok(newSid, 're-signed cookie sent')
  t.equal(idOf(newSid), idOf(oldSid), 'same session')
  t.equal(new Signer(SECRET).unsign(newSid).valid, true, 'signed with the first secret')
  t.equal(sidOf(await rotated.inject({ url: '/get/a', headers: cookie(newSid) })), undefined, 'no re-sign once current')

  const retired = await buildApp(t, redis.client(), { secret: SECRET })
  const gone = await retired.inject({ url: '/get/a', headers: cookie(oldSid) })
  t.strictSame(gone.json(), { value: null }, 'a retired secret no longer verifies')
  t.equal(sidOf(gone), '')
  t.strictSame((await retired.inject({ url: '/get/a', headers: cookie(newSid) })).json(), { value: 'kept' })
})

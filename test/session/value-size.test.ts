// docs/session.md, request.session.set: "encoded at once, so codec errors (FRP_UNSUPPORTED_VALUE,
// FRP_VALUE_TOO_LARGE) surface here". A value above the codec's maxBytes is refused by set()
// with the coded error; the session, in this request and in Redis, is unchanged.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { buildApp, cookie, idOf, sidOf } from '../helpers/session.js'

test('a set() above codec.maxBytes', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const seen: Array<{ threw: string | undefined, after: unknown, changed: boolean }> = []
  const app = await buildApp(t, client, { codec: { maxBytes: 64, compressThreshold: false } }, app => {
    app.post<{ Body: { name: string, size: number } }>('/set-big', async req => {
      let threw: string | undefined
      try {
        req.session.set(req.body.name, 'x'.repeat(req.body.size))
      } catch (err) {
        threw = (err as { code?: string }).code
      }
      seen.push({ threw, after: req.session.get(req.body.name) ?? null, changed: req.session.changed })
      return { ok: true }
    })
    app.post<{ Body: { size: number } }>('/set-big-unhandled', async req => {
      req.session.set('a', 'x'.repeat(req.body.size))
      return { ok: true }
    })
  })

  const created = await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 'small' } })
  const sid = sidOf(created)!
  const key = app.sessions.keyOf(idOf(sid))
  const before = await client.hgetall(key)
  t.ok('=a' in before, 'stored')

  const res = await app.inject({ method: 'POST', url: '/set-big', payload: { name: 'a', size: 500 }, headers: cookie(sid) })
  t.equal(res.statusCode, 200)
  t.strictSame(seen.at(-1), { threw: 'FRP_VALUE_TOO_LARGE', after: 'small', changed: false },
    'set() threw the coded error and left the value and the change set as they were')
  await app.inject({ method: 'POST', url: '/set-big', payload: { name: 'b', size: 500 }, headers: cookie(sid) })
  t.strictSame(seen.at(-1), { threw: 'FRP_VALUE_TOO_LARGE', after: null, changed: false }, 'a new name is not added either')

  const unhandled = await app.inject({ method: 'POST', url: '/set-big-unhandled', payload: { size: 500 }, headers: cookie(sid) })
  t.equal(unhandled.statusCode, 413, 'uncaught, the coded error answers 413')
  t.equal(unhandled.json().code, 'FRP_VALUE_TOO_LARGE')

  t.strictSame(await client.hgetall(key), before, 'the stored session is unchanged')
  t.same((await app.inject({ url: '/get/a', headers: cookie(sid) })).json(), { value: 'small' })
})

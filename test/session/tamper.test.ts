// Tampered, malformed, unsigned or unknown cookies: a fresh anonymous session, no error, no
// Redis write; the bad cookie is cleared.
import { test } from 'tap'
import { Signer } from '@fastify/cookie'
import { startRedis } from '../helpers/redis.js'
import { buildApp, sidOf, cookie, resetStats, commandCounts, idOf, SECRET } from '../helpers/session.js'
import { newSessionId } from '../../lib/session/ids.js'

test('bad session cookies give a fresh anonymous session and are cleared', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client())
  const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'secret', value: 'mine' } })) as string
  const id = idOf(sid)
  const signer = new Signer(SECRET)
  const flipped = sid.slice(0, -2) + (sid.endsWith('A') ? 'BB' : 'AA')
  const cases: Record<string, string> = {
    'tampered signature': flipped,
    'tampered id': id.slice(0, -1) + (id.endsWith('a') ? 'b' : 'a') + sid.slice(sid.lastIndexOf('.')),
    unsigned: id,
    malformed: 'not a cookie at all',
    empty: '',
    oversized: 'x'.repeat(5000),
    'signed with another secret': new Signer('another-secret-another-secret-another-secret').sign(id),
    'validly signed but not a session id': signer.sign('../../etc/passwd')
  }
  for (const [name, value] of Object.entries(cases)) {
    await resetStats(redis)
    const res = await app.inject({ url: '/whoami', headers: cookie(value) })
    t.equal(res.statusCode, 200, name)
    t.strictSame(res.json(), { id: null, userId: null, all: {} }, `${name}: anonymous`)
    t.equal(sidOf(res), '', `${name}: cookie cleared`)
    t.strictSame(await commandCounts(redis), {}, `${name}: no Redis call`)
  }
  t.strictSame((await app.inject({ url: '/get/secret', headers: cookie(sid) })).json(), { value: 'mine' }, 'the real session is intact')
})

test('an unknown (validly signed) session id costs one read and no write, and is cleared', async t => {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.client())
  const forged = new Signer(SECRET).sign(newSessionId())
  await resetStats(redis)
  const res = await app.inject({ url: '/whoami', headers: cookie(forged) })
  t.strictSame(res.json(), { id: null, userId: null, all: {} })
  t.equal(sidOf(res), '')
  const counts = await commandCounts(redis)
  t.strictSame(counts, { hgetall: 1 }, 'one read, nothing written')

  const set = await app.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 1 }, headers: cookie(forged) })
  const fresh = sidOf(set) as string
  t.ok(fresh.length > 0)
  t.not(idOf(fresh), idOf(forged), 'a visitor can never choose their session id')
})

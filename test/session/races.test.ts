// Concurrent requests of one session: no lost updates, and a logout is never undone by a slower
// request. Runs on every topology.
import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { topologies, startTopology } from '../helpers/redis.js'
import { buildApp, sidOf, cookie } from '../helpers/session.js'
import { deferred, type Deferred } from '../helpers/deferred.js'

/** A request held mid-handler: `entered` once it has its session, `released` by the test. */
interface Gate { entered: Deferred, released: Deferred }

function gate (): Gate {
  return { entered: deferred(), released: deferred() }
}

/** POST /slow/:name sets name = 'slow' after its session was loaded and the test released it. */
function withSlowRoute (gates: Map<string, Gate>) {
  return (app: FastifyInstance): void => {
    app.post<{ Params: { name: string } }>('/slow/:name', async req => {
      const g = gates.get(req.params.name) as Gate
      g.entered.resolve()
      await g.released.promise
      req.session.set(req.params.name, 'slow')
      return { ok: true }
    })
  }
}

for (const topology of topologies()) {
  test(`races on ${topology}`, async t => {
    const redis = await startTopology(t, topology)
    const gates = new Map<string, Gate>()
    const app = await buildApp(t, redis.client(), {}, withSlowRoute(gates))

    await t.test('two overlapping requests that set different keys both persist', async t => {
      const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'base', value: 0 } })) as string
      gates.set('x', gate())
      const slow = app.inject({ method: 'POST', url: '/slow/x', headers: cookie(sid) })
      await gates.get('x')?.entered.promise // the slow request has loaded the session
      const fast = await app.inject({ method: 'POST', url: '/set', payload: { name: 'y', value: 'fast' }, headers: cookie(sid) })
      t.equal(fast.statusCode, 200)
      gates.get('x')?.released.resolve()
      t.equal((await slow).statusCode, 200)
      const all = (await app.inject({ url: '/whoami', headers: cookie(sid) })).json().all
      t.strictSame(all, { base: 0, x: 'slow', y: 'fast' }, 'neither update lost')
    })

    await t.test('a logout racing a slow update stays a logout', async t => {
      const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'cart', value: [1] } })) as string
      gates.set('cart', gate())
      const slow = app.inject({ method: 'POST', url: '/slow/cart', headers: cookie(sid) })
      await gates.get('cart')?.entered.promise
      const logout = await app.inject({ method: 'POST', url: '/logout', headers: cookie(sid) })
      t.equal(logout.statusCode, 200)
      t.equal(sidOf(logout), '', 'logout clears the cookie')
      gates.get('cart')?.released.resolve()
      const late = await slow
      t.equal(late.statusCode, 409, 'the slow write is refused')
      t.equal(late.json().code, 'FRP_SESSION_DESTROYED')
      t.equal(sidOf(late), '', 'and its response clears the cookie too')
      const after = await app.inject({ url: '/whoami', headers: cookie(sid) })
      t.strictSame(after.json(), { id: null, userId: null, all: {} }, 'the session stays destroyed')
    })

    await t.test('a slow update cannot write to an id that a login replaced', async t => {
      const sid = sidOf(await app.inject({ method: 'POST', url: '/set', payload: { name: 'pre', value: 1 } })) as string
      gates.set('late', gate())
      const slow = app.inject({ method: 'POST', url: '/slow/late', headers: cookie(sid) })
      await gates.get('late')?.entered.promise
      const login = await app.inject({ method: 'POST', url: '/login', payload: { userId: 'racer' }, headers: cookie(sid) })
      const userSid = sidOf(login) as string
      gates.get('late')?.released.resolve()
      t.equal((await slow).statusCode, 409)
      const who = (await app.inject({ url: '/whoami', headers: cookie(userSid) })).json()
      t.strictSame(who.all, { pre: 1 }, 'the logged-in session kept its data and got nothing from the stale request')
      t.strictSame((await app.inject({ url: '/whoami', headers: cookie(sid) })).json().id, null, 'the anonymous id is dead')
    })

    await t.test('a request that only reads, racing a logout, is served and clears the cookie (its touch is refused quietly)', async t => {
      const readers = new Map<string, Gate>()
      const touchy = await buildApp(t, redis.client(), { touchInterval: 0 }, app => {
        app.get('/slow-read', async req => {
          const g = readers.get('r') as Gate
          g.entered.resolve()
          await g.released.promise
          return { value: req.session.get('a') ?? null }
        })
      })
      const sid = sidOf(await touchy.inject({ method: 'POST', url: '/set', payload: { name: 'a', value: 'x' } })) as string
      readers.set('r', gate())
      const slow = touchy.inject({ url: '/slow-read', headers: cookie(sid) })
      await readers.get('r')?.entered.promise
      await touchy.inject({ method: 'POST', url: '/logout', headers: cookie(sid) })
      readers.get('r')?.released.resolve()
      const res = await slow
      t.equal(res.statusCode, 200, 'no error for a request that changed nothing')
      t.strictSame(res.json(), { value: 'x' }, 'it saw the session as it was when it started')
      t.equal(sidOf(res), '', 'the dead cookie is cleared')
      t.strictSame((await touchy.inject({ url: '/whoami', headers: cookie(sid) })).json().id, null, 'still logged out')
    })
  })
}

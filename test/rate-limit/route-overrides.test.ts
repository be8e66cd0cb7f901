// docs/rate-limit.md, route config: `{ policies?, group?, keyGenerator?, cost?, allowList? }` —
// a route's keyGenerator, cost and allowList replace the plugin's for that route only.
import t from 'tap'
import type { FastifyRequest } from 'fastify'
import { buildApp } from '../helpers/rate-limit.js'
import { startRedis } from '../helpers/redis.js'

const user = (req: FastifyRequest): string => String(req.headers['x-user'])

t.test('per-route keyGenerator, cost and allowList override the plugin options', async t => {
  const r = await startRedis(t)
  const redis = r.client()
  let n = 0

  async function app (routes: Parameters<typeof buildApp>[2]): Promise<Awaited<ReturnType<typeof buildApp>>> {
    const plugin = `plugin-${n++}` // the plugin's key: the same for every request
    const a = await buildApp(redis, { limit: 4, window: 60_000, keyGenerator: () => plugin, cost: 1, allowList: ['vip'] }, routes)
    t.teardown(() => a.close())
    return a
  }
  const get = async (a: Awaited<ReturnType<typeof buildApp>>, url: string, who: string): Promise<number> =>
    (await a.inject({ url, headers: { 'x-user': who } })).statusCode

  t.test('keyGenerator: the route counts per its own key, the other routes per the plugin key', async t => {
    const a = await app(a => {
      a.get('/mine', { config: { rateLimit: { limit: 1, window: 60_000, keyGenerator: user } } }, async () => 'mine')
      a.get('/other', { config: { rateLimit: { limit: 1, window: 60_000 } } }, async () => 'other')
    })
    t.strictSame([await get(a, '/mine', 'alice'), await get(a, '/mine', 'bob'), await get(a, '/mine', 'alice')], [200, 200, 429],
      'alice and bob have a counter each')
    t.equal((await a.rateLimit.peek('r:GET /mine|bob', { limit: 1, window: 60_000 })).remaining, 0, "the key is the route keyGenerator's")
    t.strictSame([await get(a, '/other', 'alice'), await get(a, '/other', 'bob')], [200, 429], 'without one, the plugin key: one counter')
  })

  t.test('keyGenerator without policies: the default policy, keyed by the route', async t => {
    const a = await app(a => {
      a.get('/k', { config: { rateLimit: { keyGenerator: user } } }, async () => 'k')
    })
    for (let i = 0; i < 4; i++) t.equal(await get(a, '/k', 'carol'), 200)
    t.equal(await get(a, '/k', 'carol'), 429, "the plugin's limit of 4")
    t.equal(await get(a, '/k', 'dave'), 200, 'per route key')
  })

  t.test('cost: a number or a function, instead of the plugin cost', async t => {
    const a = await app(a => {
      a.get('/heavy', { config: { rateLimit: { limit: 4, window: 60_000, cost: 2 } } }, async () => 'heavy')
      a.get('/fn', { config: { rateLimit: { limit: 4, window: 60_000, cost: (req: FastifyRequest) => Number(req.headers['x-cost']) } } }, async () => 'fn')
      a.get('/light', { config: { rateLimit: { limit: 4, window: 60_000 } } }, async () => 'light')
    })
    t.strictSame([await get(a, '/heavy', ''), await get(a, '/heavy', ''), await get(a, '/heavy', '')], [200, 200, 429])
    const fn = async (cost: number): Promise<number> => (await a.inject({ url: '/fn', headers: { 'x-cost': String(cost) } })).statusCode
    t.strictSame([await fn(3), await fn(2), await fn(1)], [200, 429, 200])
    const codes = []
    for (let i = 0; i < 5; i++) codes.push(await get(a, '/light', ''))
    t.strictSame(codes, [200, 200, 200, 200, 429], 'other routes keep the plugin cost (1)')
  })

  t.test("allowList: the route's list replaces the plugin's", async t => {
    const a = await app(a => {
      a.get('/list', { config: { rateLimit: { limit: 1, window: 60_000, keyGenerator: user, allowList: ['alice'] } } }, async () => 'list')
      a.get('/fn', { config: { rateLimit: { limit: 1, window: 60_000, keyGenerator: user, allowList: (_req: FastifyRequest, key: string) => key.startsWith('admin-') } } }, async () => 'fn')
      a.get('/plain', { config: { rateLimit: { limit: 1, window: 60_000, keyGenerator: user } } }, async () => 'plain')
    })
    t.strictSame([await get(a, '/list', 'alice'), await get(a, '/list', 'alice'), await get(a, '/list', 'alice')], [200, 200, 200], 'alice is allowed here')
    t.strictSame([await get(a, '/list', 'vip'), await get(a, '/list', 'vip')], [200, 429], "the plugin's vip is not, on this route")
    t.equal((await a.inject({ url: '/list', headers: { 'x-user': 'alice' } })).headers.ratelimit, undefined, 'an allowed key is not counted')
    t.strictSame([await get(a, '/fn', 'admin-1'), await get(a, '/fn', 'admin-1'), await get(a, '/fn', 'vip'), await get(a, '/fn', 'vip')], [200, 200, 200, 429])
    t.strictSame([await get(a, '/plain', 'vip'), await get(a, '/plain', 'vip'), await get(a, '/plain', 'alice'), await get(a, '/plain', 'alice')], [200, 200, 200, 429],
      "a route without its own allowList keeps the plugin's")
  })
})

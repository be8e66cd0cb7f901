// docs/rate-limit.md, option `headers` (default true): "RateLimit-Policy and RateLimit headers".
// With `headers: false` none of them is sent, on allowed and on refused responses alike (refused
// by Redis, then by the local block cache), for the default policy and a route's own.
import t from 'tap'
import { buildApp } from '../helpers/rate-limit.js'
import { startRedis } from '../helpers/redis.js'

const RATE_LIMIT_HEADERS = ['ratelimit', 'ratelimit-policy', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']

function rateLimitHeaders (headers: Record<string, unknown>): string[] {
  return Object.keys(headers).filter(h => RATE_LIMIT_HEADERS.includes(h.toLowerCase()))
}

t.test('headers: false', async t => {
  const r = await startRedis(t)
  const redis = r.client()

  for (const url of ['/', '/own']) {
    t.test(`no RateLimit headers at all on ${url}`, async t => {
      const app = await buildApp(redis, { limit: 2, window: 60_000, headers: false, keyGenerator: () => `k${url}` }, app => {
        app.get('/', async () => ({ ok: true }))
        app.get('/own', { config: { rateLimit: { limit: 2, window: 60_000 } } }, async () => ({ ok: true }))
      })
      t.teardown(() => app.close())
      const codes: number[] = []
      for (let i = 0; i < 4; i++) {
        // 200, 200, then 429 from Redis, then 429 from the block cache (another code path).
        const res = await app.inject(url)
        codes.push(res.statusCode)
        t.strictSame(rateLimitHeaders(res.headers), [], `response ${i + 1} (${res.statusCode})`)
        if (res.statusCode === 429) {
          t.equal(res.json().code, 'FRP_RATE_LIMITED', 'still limited')
          // Retry-After is HTTP's own 429 header, not one of the RateLimit headers the option governs.
          t.ok(Number(res.headers['retry-after']) >= 1, 'Retry-After stays')
        }
      }
      t.strictSame(codes, [200, 200, 429, 429])
    })
  }

  t.test('legacyHeaders still work on their own when headers is false', async t => {
    const app = await buildApp(redis, { limit: 1, window: 60_000, headers: false, legacyHeaders: true, keyGenerator: () => 'legacy' })
    t.teardown(() => app.close())
    const ok = await app.inject('/')
    t.strictSame(rateLimitHeaders(ok.headers).sort(), ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
    const refused = await app.inject('/')
    t.equal(refused.statusCode, 429)
    t.strictSame(rateLimitHeaders(refused.headers).sort(), ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
  })
})

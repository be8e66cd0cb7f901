// docs/rate-limit.md, option onExceeded(request, key, result): "called for each limited request
// (metrics, bans); errors are logged". A throwing onExceeded, or an async one whose promise
// rejects, must not change the answer: the request still gets its 429 (or the configured status
// and body), the error is logged, and nothing hangs or becomes an unhandled rejection.
import t from 'tap'
import { Writable } from 'node:stream'
import { buildApp } from '../helpers/rate-limit.js'
import { startRedis, eventually } from '../helpers/redis.js'
import type { RedisRateLimitOptions } from '../../plugins/rate-limit.js'

t.test('a failing onExceeded', async t => {
  const r = await startRedis(t)
  const redis = r.client()
  // Unhandled rejections are recorded here instead of crashing the run, and asserted on.
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => { process.off('unhandledRejection', onUnhandled) })
  let n = 0

  const cases: Array<[string, RedisRateLimitOptions['onExceeded']]> = [
    ['throws', () => { throw new Error('metrics down') }],
    ['returns a rejected promise', async () => { throw new Error('metrics down') }]
  ]
  for (const [what, onExceeded] of cases) {
    t.test(`an onExceeded that ${what}: the 429 is still sent and the error logged`, async t => {
      const lines: string[] = []
      const stream = new Writable({ write (chunk, _enc, cb) { lines.push(String(chunk)); cb() } })
      const key = `k${n++}`
      let calls = 0
      const app = await buildApp(redis, {
        limit: 1,
        window: 60_000,
        keyGenerator: () => key,
        onExceeded: (req, k, result) => { calls++; return onExceeded!(req, k, result) }
      }, undefined, { logger: { stream } })
      t.teardown(() => app.close())
      t.equal((await app.inject('/')).statusCode, 200)
      // The first refusal comes from Redis, the second from the block cache (synchronous path).
      for (let i = 0; i < 2; i++) {
        const res = await app.inject('/')
        t.equal(res.statusCode, 429)
        t.equal(res.json().code, 'FRP_RATE_LIMITED')
        t.ok(Number(res.headers['retry-after']) >= 1)
      }
      t.equal(calls, 2, 'called for each limited request')
      await eventually(() => lines.filter(l => l.includes('metrics down')).length === 2, { what: 'both errors logged' })
      // Give a stray rejection the turns it needs to be reported.
      for (let i = 0; i < 3; i++) await new Promise(resolve => setImmediate(resolve))
      t.strictSame(unhandled, [], 'no unhandled rejection')
      t.equal((await app.inject('/')).statusCode, 429, 'the app keeps answering')
    })
  }

  t.test('a throwing onExceeded with a custom status and body', async t => {
    const key = `k${n++}`
    const app = await buildApp(redis, {
      limit: 1,
      window: 60_000,
      keyGenerator: () => key,
      statusCode: 503,
      errorResponse: () => ({ busy: true }),
      onExceeded: () => { throw new Error('ban list down') }
    })
    t.teardown(() => app.close())
    await app.inject('/')
    const res = await app.inject('/')
    t.equal(res.statusCode, 503)
    t.strictSame(res.json(), { busy: true })
  })
})

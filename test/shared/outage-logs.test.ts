// Issue 17 item 5, "quiet, useful logs": during an outage each plugin writes one warn when Redis
// becomes unreachable and one info when it is back (with the number of calls that failed), each
// failed request one debug line carrying its reqId, and no error line from Fastify's default
// error handler; an app's own error handler still receives the coded errors. It used to be one
// warn or error line with a stack trace per request (50 requests in a 1.5 s pause: 50 lines).
import { test } from 'tap'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyRedis from '@fastify/redis'
import type { Redis } from 'ioredis'
import { startRedis, eventually } from '../helpers/redis.js'
import { redisCache } from '../../plugins/cache.js'
import { redisRateLimit } from '../../plugins/rate-limit.js'
import { redisSession } from '../../plugins/session.js'
import { redisLock } from '../../plugins/lock.js'
import { redisLeaderboard } from '../../plugins/leaderboard.js'
import { redisQueue } from '../../plugins/queue.js'
import { SECRET } from '../helpers/session.js'

interface Line { level: number, msg: string, reqId?: string, pattern?: string, failedCalls?: number, [k: string]: unknown }

function memoryLog (): { stream: Writable, lines: Line[] } {
  const lines: Line[] = []
  const stream = new Writable({
    write (chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l))
      cb()
    }
  })
  return { stream, lines }
}

const PATTERNS = ['cache', 'rate-limit', 'session', 'lock', 'leaderboard', 'queue'] as const
// Short enough that every call made during the pause fails within it.
const commandTimeout = 300

async function allPlugins (client: Redis, stream: Writable, setup?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: 'debug', stream }, requestIdHeader: 'x-request-id' })
  setup?.(app)
  await app.register(fastifyRedis, { client, closeClient: false })
  await app.register(redisCache, { commandTimeout, l1: false })
  await app.register(redisRateLimit, { global: false, commandTimeout })
  await app.register(redisSession, { secret: SECRET, commandTimeout, cookie: { secure: false } })
  await app.register(redisLock, { commandTimeout })
  await app.register(redisLeaderboard, { defaults: { commandTimeout }, boards: { scores: {} }, routes: true })
  await app.register(redisQueue, { queueOptions: { commandTimeout }, queues: ['jobs'], routes: true })
  app.get('/cached/:n', { config: { cache: { ttl: 60_000 } } }, async () => ({ ok: true }))
  app.get('/limited', { config: { rateLimit: { limit: 10_000, window: '1m' } } }, async () => ({ ok: true }))
  app.post('/login', async req => { req.session.set('user', 'ada'); return { ok: true } })
  app.get('/me', async req => ({ user: req.session.get('user') ?? null }))
  app.post<{ Params: { n: string } }>('/locked/:n', { config: { lock: { key: req => `k${String(req.params.n)}`, wait: false } } }, async () => ({ ok: true }))
  await app.ready()
  return app
}

test('200 requests during a 2 s CLIENT PAUSE: at most 2 warns per plugin, no error line, one info "back" per plugin, a debug line per failed request', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const { stream, lines } = memoryLog()
  const app = await allPlugins(client, stream)
  t.teardown(() => app.close())

  const login = await app.inject({ method: 'POST', url: '/login' })
  const cookie = `sid=${login.cookies.find(c => c.name === 'sid')?.value ?? ''}`
  const urls = [
    { pattern: 'cache', method: 'GET', url: (n: number) => `/cached/${n}` },
    { pattern: 'rate-limit', method: 'GET', url: () => '/limited' },
    { pattern: 'session', method: 'GET', url: () => '/me' },
    { pattern: 'lock', method: 'POST', url: (n: number) => `/locked/${n}` },
    { pattern: 'leaderboard', method: 'GET', url: () => '/leaderboards/scores/top' },
    { pattern: 'queue', method: 'GET', url: () => '/queues/jobs/counts' }
  ] as const
  const failedResponses = new Map<string, string[]>(PATTERNS.map(p => [p, []]))
  const before = lines.length
  const cacheErrorsBefore = app.cache.stats().errors

  await redis.pause(2000)
  // Waves of 25 requests, each sent once the previous one has its answers (the failing ones
  // after commandTimeout), spread over the pause.
  let n = 0
  while (n < 200) {
    const wave = []
    for (let i = 0; i < 25; i++, n++) {
      const r = urls[n % urls.length]
      const id = `r${n}`
      wave.push(app.inject({ method: r.method, url: r.url(n), headers: r.pattern === 'session' ? { 'x-request-id': id, cookie } : { 'x-request-id': id } }).then(res => {
        if (res.statusCode === 503) failedResponses.get(r.pattern)?.push(id)
      }))
    }
    await Promise.all(wave)
  }

  const backs = (p: string): Line[] => lines.filter(l => l.level === 30 && l.pattern === p && l.msg.startsWith(`${p}: Redis is back after`))
  const back = (p: string): Line | undefined => backs(p)[0]
  // The pause can end and begin again for a plugin (two warns, two infos: allowed above); the
  // failed calls are then split between its infos. Regression: a loaded CI run counted one of two.
  const failedCallsOf = (p: string): number => backs(p).reduce((sum, l) => sum + Number((l as { failedCalls?: number }).failedCalls ?? 0), 0)
  await eventually(() => PATTERNS.every(p => back(p) !== undefined), { ms: 15_000, what: 'an info "back" from every plugin' })
  const during = lines.slice(before)

  t.same(during.filter(l => l.level >= 50).map(l => l.msg), [], 'no error-level line')
  for (const p of PATTERNS) {
    const warns = during.filter(l => l.level === 40 && l.msg.startsWith(`${p}:`))
    t.ok(warns.length >= 1 && warns.length <= 2, `${p}: ${warns.length} warn line(s)`)
    t.match(warns[0]?.msg, new RegExp(`^${p}: Redis unreachable \\(FRP_`), `${p}: the warn names the failure`)
    t.notOk(JSON.stringify(warns).includes('"stack"'), `${p}: no stack trace at warn`)
    t.equal(during.filter(l => l.level === 30 && l.pattern === p && l.msg.includes('is back')).length, warns.length, `${p}: one info "back" per warn`)
  }
  t.same(during.filter(l => l.level === 40 && !PATTERNS.some(p => l.msg.startsWith(`${p}:`))).map(l => l.msg), [], 'no other warn line')

  // The info's count is the calls that failed: the routes' 503s, the cache's recorded errors.
  for (const p of ['session', 'lock', 'leaderboard', 'queue']) {
    const failed = failedResponses.get(p) ?? []
    t.ok(failed.length > 0, `${p}: requests failed during the pause`)
    t.equal(failedCallsOf(p), failed.length, `${p}: the info counts its ${failed.length} failed calls`)
    const debugIds = new Set(during.filter(l => l.level === 20 && l.msg.startsWith(`${p}: Redis call failed`)).map(l => l.reqId))
    t.ok(failed.every(id => debugIds.has(id)), `${p}: every failed request has its debug line, with its reqId`)
  }
  t.equal(failedCallsOf('cache'), app.cache.stats().errors - cacheErrorsBefore, 'cache: the info counts the cache\'s failed calls')
  for (const p of ['cache', 'rate-limit']) {
    const debug = during.filter(l => l.level === 20 && l.msg.startsWith(`${p}: Redis call failed`))
    t.ok(debug.length > 0 && debug.every(l => typeof l.reqId === 'string' && l.reqId.startsWith('r')), `${p}: its failed requests' debug lines carry their reqId`)
    t.equal(debug.length, failedCallsOf(p), `${p}: one debug line per failed call`)
  }

  // Back for good: the routes answer again.
  const ok = await app.inject({ method: 'GET', url: '/leaderboards/scores/top' })
  t.equal(ok.statusCode, 200)
})

test('an app with its own error handler still receives the coded errors (and logs them as it chooses)', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const { stream, lines } = memoryLog()
  const seen: string[] = []
  const app = await allPlugins(client, stream, app => {
    app.setErrorHandler((err: Error & { code?: string }, request, reply) => {
      seen.push(String(err.code))
      // The default handler's shape: this line is the app's and must be written.
      request.log.error({ req: request, res: reply, err }, 'app: failed')
      return reply.code(503).send({ code: err.code })
    })
  })
  t.teardown(() => app.close())
  const login = await app.inject({ method: 'POST', url: '/login' })
  const cookie = `sid=${login.cookies.find(c => c.name === 'sid')?.value ?? ''}`

  await redis.pause(1000)
  const res = await Promise.all([
    app.inject({ method: 'GET', url: '/me', headers: { cookie } }),
    app.inject({ method: 'POST', url: '/locked/1' }),
    app.inject({ method: 'GET', url: '/leaderboards/scores/top' }),
    app.inject({ method: 'GET', url: '/queues/jobs/counts' })
  ])
  t.same(res.map(r => r.statusCode), [503, 503, 503, 503])
  t.same(seen.sort(), ['FRP_REDIS_TIMEOUT', 'FRP_REDIS_TIMEOUT', 'FRP_REDIS_TIMEOUT', 'FRP_SESSION_UNAVAILABLE'], 'the app\'s handler got every coded error')
  t.equal(lines.filter(l => l.level === 50 && l.msg === 'app: failed').length, 4, 'the app\'s own error lines are written')
  await eventually(() => lines.some(l => l.msg === 'queue: Redis is back after 1 failed call' || l.msg.startsWith('queue: Redis is back after 1 failed call ')), { ms: 10_000, what: 'queue back' })
})

test('a failed job attempt writes one warn with queue, job id, attempt and message (its stack at debug)', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const { stream, lines } = memoryLog()
  const app = Fastify({ logger: { level: 'debug', stream } })
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client, closeClient: false })
  await app.register(redisQueue, { queues: ['mail'] })
  await app.ready()

  const q = app.queue('mail')
  const { id } = await q.add('send', { to: 'ada' }, { attempts: 2 })
  q.process(async () => { throw new Error('smtp refused') })
  const warns = (): Line[] => lines.filter(l => l.level === 40 && l.jobId === id)
  await eventually(() => warns().length === 2, { what: 'a warn per failed attempt' })

  t.same(warns().map(l => [l.queue, l.jobId, l.attempt, l.error, l.final]), [['mail', id, 1, 'smtp refused', false], ['mail', id, 2, 'smtp refused', true]])
  t.match(warns()[0].msg, `queue: job ${id} of mail failed on attempt 1 of 2, will retry: smtp refused`)
  t.notOk(warns().some(l => 'err' in l), 'no stack at warn')
  const debug = lines.filter(l => l.level === 20 && l.jobId === id)
  t.equal(debug.length, 2)
  t.match((debug[0].err as { stack?: string }).stack, /smtp refused/, 'the stack at debug')
})

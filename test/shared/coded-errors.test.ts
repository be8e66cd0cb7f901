// Every error a public method throws for a caller's value is a coded FRP_* error with an HTTP
// status. Regression for issue 15 item 5: a circular job payload threw JSON.stringify's plain
// TypeError (no code, no status: a bare 500), and so did a BigInt in session metadata or job
// progress (JSON.stringify used directly); a too-deep value threw a RangeError; a WeakMap was
// stored as {} without a word.
import { test, type Test } from 'tap'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { startRedis, eventually } from '../helpers/redis.js'
import { createCodec, defaultCodec } from '../../lib/shared/codec.js'
import { Cache } from '../../lib/cache/cache.js'
import { Leaderboard } from '../../lib/leaderboard/leaderboard.js'
import { Locker } from '../../lib/lock/locker.js'
import { RateLimiter } from '../../lib/rate-limit/rate-limiter.js'
import { redisSession } from '../../plugins/session.js'
import { redisQueue } from '../../plugins/queue.js'
import { SECRET } from '../helpers/session.js'
import { makeQueue } from '../queue/helpers.js'

const circular: Record<string, unknown> = { a: 1 }
circular.self = circular
let deep: unknown = 0
for (let i = 0; i < 200_000; i++) deep = [deep]

/** Values no codec can store: each must be refused with a coded 4xx. */
const HOSTILE: Array<[string, unknown]> = [
  ['circular object', circular],
  ['circular inside an array', [1, circular]],
  ['circular inside a Map', new Map([['k', circular]])],
  ['nested 200,000 deep', deep],
  ['function', () => 1],
  ['function inside', { f: () => 1 }],
  ['symbol', Symbol('s')],
  ['WeakMap', new WeakMap()],
  ['WeakSet inside', { w: new WeakSet() }],
  ['Promise inside', { p: Promise.resolve(1) }],
  ['Error', new Error('boom')],
  ['Float64Array', new Float64Array([1.5])],
  ['2 MiB', 'x'.repeat(2 * 1024 * 1024)]
]

/** Values that plain JSON.stringify cannot serialise (where a pattern stores JSON, not the codec). */
const NOT_JSON: Array<[string, unknown]> = [
  ['circular object', circular],
  ['BigInt', 10n],
  ['BigInt inside', { n: 10n }]
]

function isCoded (t: Test, what: string, err: unknown, clientError = true): void {
  const e = err as { code?: unknown, statusCode?: unknown, message?: string }
  t.match(e?.code, /^FRP_/, `${what}: coded (${String(e?.code)}: ${e?.message?.slice(0, 80)})`)
  t.type(e?.statusCode, 'number', `${what}: has a status`)
  if (clientError) t.ok(Number(e?.statusCode) >= 400 && Number(e?.statusCode) < 500, `${what}: a 4xx (got ${String(e?.statusCode)})`)
}

async function caught (fn: () => unknown): Promise<unknown> {
  try {
    await fn()
  } catch (err) {
    return err
  }
  return new Error('did not throw')
}

test('the codec: every value it cannot store is a coded 4xx, at any depth', async t => {
  for (const [what, v] of HOSTILE) isCoded(t, `encode ${what}`, await caught(() => defaultCodec.encode(v)))
  const e = await caught(() => defaultCodec.encode(circular)) as Error
  t.match(e, { code: 'FRP_UNSUPPORTED_VALUE', statusCode: 400, message: /circular/ })
  t.match(await caught(() => defaultCodec.encode(deep)), { code: 'FRP_UNSUPPORTED_VALUE', message: /deep/ })
  t.match(await caught(() => defaultCodec.encode(new WeakMap())), { code: 'FRP_UNSUPPORTED_VALUE', message: /WeakMap/ })
  t.strictSame(createCodec().decode(createCodec().encode({ n: 10n })), { n: 10n }, 'BigInt is a codec type, not an error')
  // Class instances are stored as their own enumerable properties (documented), not refused.
  class Point { constructor (public x: number, public y: number) {} }
  t.strictSame(defaultCodec.decode(defaultCodec.encode(new Point(1, 2))), { x: 1, y: 2 })
})

test('cache: set, wrap and key arguments', async t => {
  const client = (await startRedis(t)).client()
  const cache = new Cache(client, { prefix: `ce${process.pid}`, l1: false })
  t.teardown(() => cache.close())
  await cache.ready
  const errors: unknown[] = []
  cache.on('error', err => { errors.push(err) })
  for (const [what, v] of HOSTILE) {
    isCoded(t, `cache.set ${what}`, await caught(() => cache.set('k', v)))
    // wrap is fail-open by design: the fetched value is returned, not cached, and the error is
    // reported (coded) to 'error' listeners.
    if (what === 'Promise inside') continue
    errors.length = 0
    const got = await cache.wrap(`w-${what}`, async () => v)
    t.equal(got, v, `cache.wrap ${what}: the value is returned`)
    t.equal(errors.length, 1, `cache.wrap ${what}: one error reported`)
    isCoded(t, `cache.wrap ${what} (reported)`, errors[0])
    t.equal(await cache.get(`w-${what}`), undefined, `cache.wrap ${what}: nothing cached`)
  }
  for (const key of ['', 1, null, {}, Object.create(null), Symbol('k')]) {
    isCoded(t, `cache.set key ${String(typeof key)}`, await caught(() => cache.set(key as string, 1)), false)
    isCoded(t, `cache.wrap key ${String(typeof key)}`, await caught(() => cache.wrap(key as string, () => 1)), false)
  }
  isCoded(t, 'cache.wrap without a fetcher', await caught(() => cache.wrap('k', 'nope' as never)), false)
  isCoded(t, 'cache.invalidatePrefix(123)', await caught(() => cache.invalidatePrefix(123 as never)), false)
})

test('session: set with unstorable values, metadata that is not JSON', async t => {
  const client = (await startRedis(t)).client()
  let metadata: unknown = null
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client, closeClient: false })
  await app.register(redisSession, { secret: SECRET, metadata: () => metadata as never })
  app.post<{ Querystring: { i: string } }>('/set', async req => {
    req.session.set('v', HOSTILE[Number(req.query.i)][1])
    return { ok: true }
  })
  app.post('/plain', async req => { req.session.set('v', 1); return { ok: true } })
  await app.ready()
  for (let i = 0; i < HOSTILE.length; i++) {
    const res = await app.inject({ method: 'POST', url: `/set?i=${i}` })
    const body = res.json()
    isCoded(t, `session.set ${HOSTILE[i][0]}`, { code: body.code, statusCode: res.statusCode, message: body.message })
    t.equal(body.statusCode, res.statusCode)
  }
  for (const [what, v] of NOT_JSON) {
    metadata = v
    const res = await app.inject({ method: 'POST', url: '/plain' })
    const body = res.json()
    isCoded(t, `session metadata ${what}`, { code: body.code, statusCode: res.statusCode, message: body.message }, false)
    t.equal(res.cookies.length, 0, `session metadata ${what}: no session created`)
  }
  metadata = { ok: 1 }
  t.equal((await app.inject({ method: 'POST', url: '/plain' })).statusCode, 200, 'JSON metadata still works')
})

test('queue: add, addBulk, job options, progress and return values', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  for (const [what, v] of HOSTILE) {
    isCoded(t, `queue.add ${what}`, await caught(() => q.add('a', v)))
    isCoded(t, `queue.addBulk ${what}`, await caught(() => q.addBulk([{ name: 'ok', data: 1 }, { name: 'a', data: v }])))
  }
  for (const opts of [circular, 'fast', 42, { backoff: circular }, { removeOnComplete: circular }, { priority: 10n }, { jobId: Symbol('j') }]) {
    isCoded(t, `queue.add opts ${typeof opts}`, await caught(() => q.add('a', 1, opts as never)))
  }
  for (const name of ['', null, 42, circular, Symbol('n')]) isCoded(t, `queue.add name ${typeof name}`, await caught(() => q.add(name as never, 1)))
  t.strictSame((await q.counts()).waiting, 0, 'nothing was added')

  // In a handler: progress that is not JSON rejects coded; a return value the codec cannot store
  // fails the attempt with the codec's coded error.
  const progress: unknown[] = []
  const failed: unknown[] = []
  q.events() // not needed for the assertions; makes sure events do not trip on the failures
  const w = q.process(async job => {
    for (const [, v] of NOT_JSON) progress.push(await caught(() => job.updateProgress(v)))
    return circular
  })
  w.on('failed', (_job, err) => { failed.push(err) })
  const { id } = await q.add('run', 1)
  await eventually(() => failed.length === 1)
  for (let i = 0; i < NOT_JSON.length; i++) isCoded(t, `updateProgress ${NOT_JSON[i][0]}`, progress[i])
  isCoded(t, 'a circular return value', failed[0])
  t.match(await q.getJob(id), { state: 'failed', failedReason: /circular/ })
})

test('leaderboard: metadata, members and scores', async t => {
  const client = (await startRedis(t)).client()
  const board = new Leaderboard(client, `ce-${process.pid}`, { prefix: `ce${process.pid}` })
  for (const [what, v] of HOSTILE) {
    isCoded(t, `submit meta ${what}`, await caught(() => board.submit('m', 1, { meta: v })))
    isCoded(t, `setMetadata ${what}`, await caught(() => board.setMetadata('m', v)))
    isCoded(t, `submitMany meta ${what}`, await caught(() => board.submitMany([{ member: 'm', score: 1, meta: v }])))
    isCoded(t, `submit member ${what}`, await caught(() => board.submit(v as string, 1)))
    isCoded(t, `submit score ${what}`, await caught(() => board.submit('m', v as number)))
  }
  isCoded(t, 'submitMany with a circular entry list', await caught(() => board.submitMany([circular as never])))
  isCoded(t, 'page with a garbage cursor', await caught(() => board.page(circular as never)))
  t.strictSame(await board.count(), 0, 'nothing was written')
})

test('lock and rate limit: bad names and arguments', async t => {
  const client = (await startRedis(t)).client()
  const locker = new Locker(client, { prefix: `ce${process.pid}` })
  t.teardown(() => locker.close())
  const rl = new RateLimiter(client, { prefix: `ce${process.pid}` })
  for (const name of ['', null, undefined, {}, Object.create(null), Symbol('n'), circular]) {
    const what = name === null ? 'null' : typeof name
    isCoded(t, `acquire ${what}`, await caught(() => locker.acquire(name as never)), false)
    isCoded(t, `tryAcquire ${what}`, await caught(() => locker.tryAcquire(name as never)), false)
    isCoded(t, `using ${what}`, await caught(() => locker.using(name as never, () => 1)), false)
    isCoded(t, `rate limit hit ${what}`, await caught(() => rl.hit(name as never)), false)
  }
  for (const ttl of [1e300, Infinity, NaN, -1, 2 ** 63, 'x']) {
    isCoded(t, `acquire ttl ${String(ttl)}`, await caught(() => locker.acquire('l', { ttl: ttl as number })), false)
  }
  const lease = await locker.acquire('held')
  for (const ttl of [1e300, Infinity, NaN, 5, 2 ** 63, 'x']) {
    isCoded(t, `lease.extend ${String(ttl)}`, await caught(() => lease.extend(ttl as number)), false)
  }
  t.ok(lease.held, 'the lease survived the bad calls')
  await lease.release()
})

test('queue route: a JSON body nested too deeply for the codec is a coded 400, not a 500', async t => {
  const client = (await startRedis(t)).client()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client, closeClient: false })
  await app.register(redisQueue, { queueOptions: { prefix: `ce${process.pid}` }, queues: ['q'], routes: true })
  await app.ready()
  const depth = 100_000 // 200 kB of brackets: inside the default 1 MiB body limit
  const payload = `{"name":"a","data":${'['.repeat(depth)}${']'.repeat(depth)}}`
  const res = await app.inject({ method: 'POST', url: '/queues/q/jobs', headers: { 'content-type': 'application/json' }, payload })
  // V8's JSON.parse takes the depth; the codec's serializer overflows the stack (was a bare RangeError).
  t.equal(res.statusCode, 400)
  t.match(res.json(), { code: 'FRP_UNSUPPORTED_VALUE', message: /too deeply/ })
  t.strictSame((await app.queue('q').counts()).waiting, 0, 'nothing enqueued')
})

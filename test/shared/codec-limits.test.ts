// codec.maxBytes bounds the encoded value BEFORE compression, and decoding refuses to inflate past
// it. Regression for issue 15 item 6: maxBytes was checked on the compressed form, so a 30 MB
// string of one repeated character (a few kB deflated) was accepted as a session value or a job
// payload and inflated back to 30 MB on every read; a hand-made 'z' entry could inflate without
// bound (a decompression bomb).
import { test } from 'tap'
import { deflateRawSync } from 'node:zlib'
import Fastify from 'fastify'
import fastifyRedis from '@fastify/redis'
import { createCodec, defaultCodec } from '../../lib/shared/codec.js'
import { startRedis } from '../helpers/redis.js'
import { makeQueue } from '../queue/helpers.js'
import { redisSession } from '../../plugins/session.js'
import { SECRET } from '../helpers/session.js'

const MiB = 1024 * 1024
const huge = (): string => 'x'.repeat(30 * MiB)

test('a highly compressible 30 MB value is refused at encode with FRP_VALUE_TOO_LARGE (413)', async t => {
  for (const [what, value] of [['string', huge()], ['object', { text: huge() }], ['array', ['a'.repeat(MiB), 'b'.repeat(MiB)]]] as const) {
    t.throws(() => defaultCodec.encode(value), { code: 'FRP_VALUE_TOO_LARGE', statusCode: 413 }, `${what}: refused by the default 1 MiB limit`)
  }
  const small = createCodec({ maxBytes: 1000, compressThreshold: 10 })
  t.throws(() => small.encode('a'.repeat(5000)), { code: 'FRP_VALUE_TOO_LARGE', statusCode: 413, message: /above the limit of 1000 bytes/ },
    'compression (5000 a\'s deflate to a few bytes) does not get a value past maxBytes')
  t.throws(() => small.encode({ a: 'é'.repeat(600) }), { code: 'FRP_VALUE_TOO_LARGE' }, 'UTF-8 bytes are counted, before compression')
})

test('values just under the limit still round-trip, compressed or not', async t => {
  const limit = 4096
  for (const compressThreshold of [false, 64] as const) {
    const codec = createCodec({ maxBytes: limit, compressThreshold })
    const str = 'y'.repeat(limit - 1) // 's' + 4095 bytes = exactly the limit
    t.strictSame(codec.decode(codec.encode(str)), str, `string at the limit (compress ${String(compressThreshold)})`)
    t.throws(() => codec.encode(str + 'y'), { code: 'FRP_VALUE_TOO_LARGE' }, 'one byte more is refused')
    const obj = { text: 'z'.repeat(limit - 200), when: new Date(0) }
    t.strictSame(codec.decode(codec.encode(obj)), obj, `tagged value under the limit (compress ${String(compressThreshold)})`)
  }
  const big = 'q'.repeat(MiB - 1)
  const stored = defaultCodec.encode(big)
  t.equal(stored[0], 'z', 'the default codec compresses it')
  t.strictSame(defaultCodec.decode(stored), big, 'a value at the default limit round-trips')
})

test('a hand-made compressed entry that inflates past maxBytes is refused at decode', async t => {
  const codec = createCodec({ maxBytes: 10_000 })
  const bomb = 'z' + deflateRawSync(Buffer.from('s' + 'x'.repeat(10_000))).toString('base64')
  t.throws(() => codec.decode(bomb), { code: 'FRP_CODEC_CORRUPT', message: /maxBytes/ }, 'one byte past the limit')
  const exact = 'z' + deflateRawSync(Buffer.from('s' + 'x'.repeat(9_999))).toString('base64')
  t.strictSame(codec.decode(exact), 'x'.repeat(9_999), 'exactly maxBytes inflated still decodes')
  // 64 MiB of zeros deflate to about 64 kB: refused while inflating, long before 64 MiB is held.
  const zeros = 'z' + deflateRawSync(Buffer.alloc(64 * MiB)).toString('base64')
  t.throws(() => defaultCodec.decode(zeros), { code: 'FRP_CODEC_CORRUPT' }, 'a decompression bomb is corrupt, not 64 MiB of memory')
})

test('queue add of such a value is refused with the coded error and stores nothing', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue(t, client)
  await t.rejects(q.add('big', huge()), { code: 'FRP_VALUE_TOO_LARGE', statusCode: 413 })
  await t.rejects(q.addBulk([{ name: 'ok', data: 1 }, { name: 'big', data: { blob: huge() } }]), { code: 'FRP_VALUE_TOO_LARGE' })
  const small = makeQueue(t, client, { codec: { maxBytes: 2048 } })
  const under = 'u'.repeat(2000)
  const { id } = await small.add('under', under)
  t.strictSame((await small.getJob(id))?.data, under, 'a payload under the limit round-trips')
  await t.rejects(small.add('over', 'u'.repeat(5000)), { code: 'FRP_VALUE_TOO_LARGE' }, 'deflating would have made it fit: still refused')
  t.strictSame((await q.counts()).waiting, 0, 'nothing was added')
  t.strictSame((await small.counts()).waiting, 1)
})

test('session set of such a value is refused with the coded error', async t => {
  const client = (await startRedis(t)).client()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client, closeClient: false })
  await app.register(redisSession, { secret: SECRET, codec: { maxBytes: 64 * 1024 } })
  app.post('/huge', async req => { req.session.set('blob', 'x'.repeat(30 * MiB)); return { ok: true } })
  app.post('/under', async req => { req.session.set('blob', 'v'.repeat(60 * 1024)); return { ok: true } })
  app.get('/len', async req => ({ len: (req.session.get<string>('blob') ?? '').length }))
  await app.ready()
  const res = await app.inject({ method: 'POST', url: '/huge' })
  t.equal(res.statusCode, 413)
  t.equal(res.json().code, 'FRP_VALUE_TOO_LARGE')
  t.equal(res.cookies.length, 0, 'no session was created')
  const ok = await app.inject({ method: 'POST', url: '/under' })
  t.equal(ok.statusCode, 200)
  const sid = ok.cookies.find(c => c.name === 'sid')?.value as string
  t.strictSame((await app.inject({ url: '/len', headers: { cookie: `sid=${sid}` } })).json(), { len: 60 * 1024 }, 'a value under the limit round-trips')
})

// Regression: a buffered value write-behind could not decode was reported with emit('error')
// whether or not anyone listened. Without a listener EventEmitter threw: the flush rejected and
// the batch it had claimed was never settled (left in flight until its lease expired, then
// claimed and thrown on again). Now the value is dropped and reported: on 'error' if someone
// listens, else through the cache's logger; the rest of the batch is delivered and settled.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { makeCache } from './fixtures/setup.js'

test('an undecodable buffered value without an error listener is logged; the batch is delivered and settled', async t => {
  const redis = await startRedis(t)
  const admin = redis.client()
  const warned: unknown[] = []
  const cache = await makeCache(t, redis.client(), { prefix: 'wbu', logger: { warn: obj => { warned.push(obj) } } })
  const got: unknown[] = []
  const wb = cache.writeBehind<number>('q', { interval: 0, flush: batch => { got.push(...batch) } })
  await wb.write('good', 1)
  // A value no codec wrote (a bad migration, a foreign writer): the buffer's hash and queue by hand.
  await admin.hset('wbu:cache-wb:{q}:data', 'bad', 'not a codec payload')
  await admin.rpush('wbu:cache-wb:{q}:queue', 'bad')

  t.equal(await wb.flush(), 1, 'the flush resolves with the writes delivered')
  t.strictSame(got, [{ key: 'good', value: 1 }])
  t.equal(await wb.pending(), 0, 'nothing left queued')
  t.equal(await admin.hlen('wbu:cache-wb:{q}:flight'), 0, 'the batch was settled: nothing left in flight')
  t.equal(warned.length, 1, 'logged once through the cache logger')
  t.match(warned[0], { keys: ['bad'], buffer: 'q' })
})

test('with an error listener, the undecodable value is emitted with its key instead', async t => {
  const redis = await startRedis(t)
  const admin = redis.client()
  const warned: unknown[] = []
  const cache = await makeCache(t, redis.client(), { prefix: 'wbe', logger: { warn: obj => { warned.push(obj) } } })
  const wb = cache.writeBehind<number>('q', { interval: 0, flush: () => {} })
  const errors: Array<[unknown, string[]]> = []
  wb.on('error', (err, keys) => { errors.push([err, keys]) })
  await admin.hset('wbe:cache-wb:{q}:data', 'bad', 'not a codec payload')
  await admin.rpush('wbe:cache-wb:{q}:queue', 'bad')
  t.equal(await wb.flush(), 0)
  t.equal(errors.length, 1)
  t.strictSame(errors[0][1], ['bad'])
  t.match(errors[0][0], { code: 'FRP_CODEC_CORRUPT' })
  t.strictSame(warned, [], 'not logged as well')
  t.equal(await admin.hlen('wbe:cache-wb:{q}:flight'), 0, 'settled')
})

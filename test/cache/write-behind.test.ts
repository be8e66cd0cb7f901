import { test } from 'tap'
import { topologies, startTopology, eventually } from '../helpers/redis.js'
import { makeCache } from './fixtures/setup.js'
import { deferred } from '../helpers/deferred.js'
import type { BufferedWrite } from '../../lib/cache/write-behind.js'

for (const topology of topologies()) {
  test(`write-behind on ${topology}`, async t => {
    const redis = await startTopology(t, topology)

    await t.test('writes update the cache at once and reach the flusher in batches, latest value per key', async t => {
      const cache = await makeCache(t, redis.client(), { prefix: 'wb' })
      const batches: Array<Array<BufferedWrite<number>>> = []
      const wb = cache.writeBehind<number>('scores', { flush: async b => { batches.push(b) }, batchSize: 2, interval: 0 })
      await wb.write('a', 1)
      await wb.write('b', 1)
      await wb.write('a', 2)
      await wb.write('c', 3)
      t.equal(await cache.get('a'), 2, 'readers see the write before it is flushed')
      t.equal(await wb.pending(), 3, 'two writes of a are coalesced')
      t.equal(await wb.flush(), 3)
      t.strictSame(batches, [[{ key: 'a', value: 2 }, { key: 'b', value: 1 }], [{ key: 'c', value: 3 }]])
      t.equal(await wb.pending(), 0)
    })

    await t.test('a failing flush is retried, then put back for a later flush', async t => {
      const cache = await makeCache(t, redis.client(), { prefix: 'wbr' })
      let attempts = 0
      let healthy = false
      const got: string[] = []
      const wb = cache.writeBehind<string>('q', {
        interval: 0,
        maxAttempts: 2,
        retryDelay: 5,
        flush: async b => { attempts++; if (!healthy) throw new Error('origin down'); got.push(...b.map(x => x.value)) }
      })
      wb.on('error', () => {})
      await wb.write('k', 'v')
      t.equal(await wb.flush(), 0)
      t.equal(attempts, 2)
      t.equal(await wb.pending(), 1, 'the write is still buffered in Redis')
      healthy = true
      t.equal(await wb.flush(), 1)
      t.strictSame(got, ['v'])
    })

    await t.test('close() flushes what is pending', async t => {
      const cache = await makeCache(t, redis.client(), { prefix: 'wbc' })
      const got: string[] = []
      const wb = cache.writeBehind<string>('q', { interval: 60_000, flush: async b => { got.push(...b.map(x => x.key)) } })
      await wb.write('x', '1')
      await wb.write('y', '2')
      await wb.close()
      t.strictSame(got.sort(), ['x', 'y'])
      // Regression: a closed buffer threw a plain Error (no code, no status: a bare 500).
      await t.rejects(wb.write('z', '3'), { code: 'FRP_WRITE_BEHIND_CLOSED', statusCode: 503, message: 'Write-behind buffer "q" is closed' })
    })

    await t.test('a flusher that dies mid-batch: after its lease expires another instance delivers the batch', async t => {
      const a = await makeCache(t, redis.client(), { prefix: 'wbd' })
      const b = await makeCache(t, redis.client(), { prefix: 'wbd' })
      const never = deferred()
      let claimed = false
      const dying = a.writeBehind<string>('q', { interval: 0, leaseTtl: 150, flush: async () => { claimed = true; await never.promise } })
      await dying.write('k1', 'v1')
      await dying.write('k2', 'v2')
      const stuck = dying.flush()
      await eventually(() => claimed, { what: 'a claimed the batch' })
      await dying.write('k2', 'v2 newer')
      const got: Array<BufferedWrite<string>> = []
      const rescuer = b.writeBehind<string>('q', { interval: 0, flush: async batch => { got.push(...batch) } })
      await eventually(async () => { await rescuer.flush(); return got.length >= 2 }, { what: 'b recovered the batch' })
      t.strictSame(got.map(x => `${x.key}=${x.value}`).sort(), ['k1=v1', 'k2=v2 newer'], 'the newer pending write wins over the in-flight one')
      never.resolve()
      await stuck
      await dying.close(200)
    })
  })
}

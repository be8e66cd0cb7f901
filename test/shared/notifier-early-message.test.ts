// Pins "a message arriving between waiter() and wait() is not lost" (mutation drill:
// notifier-early-wake-lost). notifier.test.ts sends its notification just before wait(), but
// whether the message reaches the subscriber before or after wait() is called is up to timing,
// so it only sometimes tests the early case. Here wait() is called only after the message was
// dispatched (a handler on the same channel has seen it): the waiter must remember it.
import { test } from 'tap'
import { Notifier } from '../../lib/shared/notifier.js'
import { startRedis, eventually } from '../helpers/redis.js'

test('a notification dispatched before wait() is called still wakes the waiter at once', async t => {
  const redis = await startRedis(t)
  const n = Notifier.for(redis.client())
  t.teardown(() => n.close())
  const seen: string[] = []
  await n.subscribe('wake', m => { seen.push(m) })

  const w = n.waiter('wake', 'key:a')
  await n.notify('wake', 'key:a')
  await eventually(() => seen.includes('key:a'), { ms: 10_000, what: 'the message to be dispatched' })
  // Dispatched already: with a long timeout, only the remembered notification can end this wait.
  t.equal(await w.wait(20_000), 'notified', 'the early notification was kept')
})

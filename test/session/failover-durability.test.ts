// Sessions through a master SIGKILL on a real Sentinel deployment (issue 19): with the
// `durability` option every write confirmed to the caller is on the promoted master; without it,
// writes the master acknowledged but had not replicated are lost (the window the docs state,
// measured here with replication cut so the window is wide open).
import tap, { test } from 'tap'
import { startSentinel } from '../helpers/replicated.js'
import { eventually } from '../helpers/redis.js'
import { SessionStore } from '../../lib/session/store.js'
import { newSessionId } from '../../lib/session/ids.js'

tap.setTimeout(300_000)

const DURABILITY = { replicas: 1, timeout: 1000 }

test('every session write confirmed with durability survives a master SIGKILL', async t => {
  const sentinel = await startSentinel(t)
  const redis = sentinel.client()
  const store = new SessionStore(redis, { prefix: 'fd', commandTimeout: 2000, durability: DURABILITY })
  const confirmed = new Map<string, string>()
  const errors: Record<string, number> = {}
  const okTimes: number[] = []
  const run = { stop: false }
  let killAt = 0
  const writers = Array.from({ length: 10 }, async (_, w) => {
    for (let n = 0; !run.stop; n++) {
      const id = newSessionId()
      const value = JSON.stringify(`${w}:${n}`)
      try {
        await store.create(id, ['v', value])
        confirmed.set(id, value)
        okTimes.push(performance.now())
      } catch (err) {
        const code = String((err as { code?: string }).code)
        errors[code] = (errors[code] ?? 0) + 1
        await new Promise(resolve => setTimeout(resolve, 20))
      }
    }
  })
  await eventually(() => confirmed.size >= 300, { ms: 30_000, what: '300 sessions written' })
  killAt = performance.now()
  await sentinel.killMaster()
  const before = okTimes.length
  await eventually(() => okTimes.length >= before + 100, { ms: 60_000, what: 'writes confirmed again after the promotion' })
  run.stop = true
  await Promise.all(writers)

  const lost: string[] = []
  for (const [id, value] of confirmed) {
    const s = await store.load(id)
    if (s?.values.get('v') !== value) lost.push(id)
  }
  t.same(lost, [], `all ${confirmed.size} confirmed sessions are on the promoted master`)
  let outage = 0
  for (let i = 1; i < okTimes.length; i++) if (okTimes[i] > killAt) outage = Math.max(outage, okTimes[i] - Math.max(okTimes[i - 1], killAt))
  t.comment(`session, Sentinel, master SIGKILL, durability { replicas: 1, timeout: 1000 }: ${confirmed.size} creates confirmed, lost ${lost.length}; ` +
    `errors ${JSON.stringify(errors)}; longest gap between confirmed writes after the kill ${outage.toFixed(0)} ms`)
})

test('without the option, writes acknowledged but not replicated are lost with the master; with it they fail with FRP_NOT_REPLICATED', async t => {
  const sentinel = await startSentinel(t)
  const redis = sentinel.client()
  const plain = new SessionStore(redis, { prefix: 'fp', commandTimeout: 2000 })
  const durable = new SessionStore(redis, { prefix: 'fd', commandTimeout: 2000, durability: { replicas: 1, timeout: 300 } })
  const kept = newSessionId()
  await durable.create(kept, ['v', '"kept"'])

  await sentinel.cutReplication()
  const acknowledged: string[] = []
  for (let i = 0; i < 50; i++) {
    const id = newSessionId()
    await plain.create(id, ['v', '1'])
    acknowledged.push(id)
  }
  await t.rejects(durable.create(newSessionId(), ['v', '1']), { code: 'FRP_NOT_REPLICATED', message: /0 of 1 confirmed it within 300 ms/ },
    'with the option the caller is told the write is not safe')
  await sentinel.killMaster()
  // + 1: eventually waits for a truthy value, and 0 survivors is a result.
  const survived = (await eventually(async () => {
    const found = await Promise.all(acknowledged.map(async id => await plain.load(id))).catch(() => null)
    return found === null ? null : found.filter(s => s !== null).length + 1
  }, { ms: 30_000, what: 'the promoted master answers' }) ?? 1) - 1
  t.equal(survived, 0, 'the 50 writes acknowledged without the option while replication was cut are gone')
  t.equal((await durable.load(kept))?.values.get('v'), '"kept"', 'the write confirmed before the cut survived')
  t.comment(`session, Sentinel, replication cut then master SIGKILL: without durability ${acknowledged.length} acknowledged creates, ${survived} survived`)
})

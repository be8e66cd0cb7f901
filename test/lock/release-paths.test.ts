// Which script a release runs (docs/lock.md, How it works): an uncontended release is one
// one-key compare-and-delete (release-unmarked-1.lua), what a raw lock's release costs; a lock
// with waiters goes to the handoff script (release-4.lua, four keys), and once a process has seen
// a lock contended (marked at a release, handed over, or waited for in line), its next releases
// of that lock go there directly, without first asking the one-key script. Regression: every release sent the four keys of the handoff script, which cost
// the uncontended acquire + release about an eighth of its throughput against a raw lock.
import { test } from 'tap'
import type { Redis } from 'ioredis'
import { Locker } from '../../lib/lock/locker.js'
import { scripts } from '../../lib/lock/scripts.js'
import { createHash } from 'node:crypto'
import { startRedis, eventually } from '../helpers/redis.js'

const SLOW_MACHINE = 10_000
const sha1 = (lua: string): string => createHash('sha1').update(lua).digest('hex')

/** The EVALSHA/EVAL calls the server runs from now on, by script name (MONITOR). */
async function scriptLog (client: Redis): Promise<{ names: string[], stop: () => void }> {
  const bySha = new Map(scripts.names.map(n => [sha1(scripts.source(n)), n]))
  const monitor = await client.monitor()
  const names: string[] = []
  monitor.on('monitor', (_time: string, args: string[]) => {
    const cmd = String(args[0]).toLowerCase()
    if (cmd === 'evalsha') names.push(bySha.get(args[1]) ?? args[1])
    // A first EVALSHA on a fresh server fails (NOSCRIPT) and is sent again as EVAL: the EVALSHA
    // names the call, the EVAL is left out.
  })
  return { names, stop: () => { monitor.disconnect() } }
}

test('an uncontended release runs the one-key script only', async t => {
  const redis = await startRedis(t)
  const locker = new Locker(redis.client(), { prefix: 'rp1', commandTimeout: SLOW_MACHINE })
  t.teardown(() => locker.close())
  await (await locker.acquire('warm')).release() // loads the scripts (a first EVALSHA fails, then EVAL)
  const log = await scriptLog(redis.client() as Redis)
  t.teardown(log.stop)
  const lease = await locker.acquire('invoice')
  await lease.release()
  await eventually(() => log.names.length === 2, { what: 'the two scripts in the monitor' })
  t.strictSame(log.names, ['acquire', 'release-unmarked'])
  t.equal(await redis.admin('EXISTS', 'rp1:lock:{invoice}'), 0, 'released')
})

test('a lock with a waiter: the one-key script answers "marked" and the handoff script hands it over; later releases of that lock go to the handoff script directly', async t => {
  const redis = await startRedis(t)
  const holder = new Locker(redis.client(), { prefix: 'rp2', commandTimeout: SLOW_MACHINE })
  const waiter = new Locker(redis.client(), { prefix: 'rp2', commandTimeout: SLOW_MACHINE })
  t.teardown(() => Promise.all([holder.close(), waiter.close()]))
  const key = holder.redisKey('ledger')
  const first = await holder.acquire('ledger', { ttl: 60_000 })
  const waiting = waiter.acquire('ledger', { ttl: 60_000, waitTimeout: 20_000 })
  await eventually(async () => await redis.admin('ZCARD', key + ':q') === 1, { what: 'the waiter in line' })
  const log = await scriptLog(redis.client() as Redis)
  t.teardown(log.stop)
  await first.release()
  const second = await waiting
  t.equal(await redis.admin('GET', key), second.token, 'handed to the waiter')
  // The holder waits for it again; the waiter's release hands it back.
  const again = holder.acquire('ledger', { ttl: 60_000, waitTimeout: 20_000 })
  await eventually(async () => await redis.admin('ZCARD', key + ':q') === 1, { what: 'the holder in line' })
  await second.release()
  const third = await again
  // The holder has seen this lock contended: its next release skips the one-key script.
  await third.release()
  const releases = (): string[] => log.names.filter(n => n === 'release' || n === 'release-unmarked')
  await eventually(() => releases().length === 4, { what: 'four release scripts' })
  t.strictSame(releases(), [
    'release-unmarked', 'release', // the holder: marked, so handed over
    'release', // the waiter: it waited in line for this lock, so straight to the handoff script
    'release' // the holder again, straight to the handoff script (nobody waits now: it deletes)
  ], 'release scripts in order')
  await eventually(async () => await redis.admin('EXISTS', key) === 0, { what: 'the lock released' })
})

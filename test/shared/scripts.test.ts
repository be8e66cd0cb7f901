import { test } from 'tap'
import { loadScripts } from '../../lib/shared/scripts.js'
import { startRedis, startCluster } from '../helpers/redis.js'
import { commandCounts } from '../helpers/command-stats.js'

type Name = 'incr-by' | 'echo-args' | 'double-incr' | 'incr-each'
const scripts = loadScripts<Name>('fixture', new URL('../fixtures/scripts/', import.meta.url))

test('loads <name>-<keys>.lua files and runs them on a standalone server', async t => {
  t.strictSame([...scripts.names].sort(), ['double-incr', 'echo-args', 'incr-by', 'incr-each'], '_-prefixed include files are not scripts')
  const redis = await startRedis(t)
  const client = redis.client()
  t.equal(await scripts.run(client, 'incr-by', ['n'], [5]), 5)
  t.strictSame(await scripts.run(client, 'echo-args', [], ['a', 1]), ['a', '1'])
  await t.rejects(scripts.run(client, 'incr-by', [], [1]), /takes 1 keys/)
  t.throws(() => scripts.run(client, 'nope' as never, [], []), /unknown fixture script/)
})

test('--@include pastes a shared _file.lua into the script', async t => {
  t.match(scripts.source('double-incr'), /local function double/)
  t.notMatch(scripts.source('double-incr'), /^--@include/m)
  const redis = await startRedis(t)
  t.equal(await scripts.run(redis.client(), 'double-incr', ['d'], [4]), 8)
})

test('a script is sent in full once, then by its SHA only', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  await redis.admin('CONFIG', 'RESETSTAT')
  for (let i = 1; i <= 5; i++) t.equal(await scripts.run(client, 'incr-by', ['c'], [1]), i)
  const counts = await commandCounts(redis.admin)
  t.equal(counts.eval, 1, 'one EVAL after the first NOSCRIPT')
  t.equal(counts.evalsha, 4, 'every later call is an EVALSHA')
})

test('scripts still run after a Redis restart empties the script cache', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ maxRetriesPerRequest: 20 })
  t.equal(await scripts.run(client, 'incr-by', ['n'], [1]), 1)
  await redis.restart()
  t.strictSame(await redis.admin('SCRIPT', 'EXISTS', '0000000000000000000000000000000000000000'), [0])
  t.equal(await scripts.run(client, 'incr-by', ['n'], [2]), 2, 'no persistence: the counter restarted, the script ran')
  await redis.admin('SCRIPT', 'FLUSH')
  t.equal(await scripts.run(client, 'incr-by', ['n'], [3]), 5, 'SCRIPT FLUSH is invisible too')
})

test('bind() gives a flat hot-path call (keys then args) with the same NOSCRIPT fallback', async t => {
  const redis = await startRedis(t)
  const incr = scripts.bind<number>(redis.client(), 'incr-by')
  t.equal(await incr('b', 2), 2)
  t.equal(await incr('b', 3), 5)
  await t.rejects(scripts.bind(redis.client(), 'incr-by')('b', 'not a number'), /not an integer/, 'script errors are not swallowed')
})

test('bindRaw() returns the command promise itself; recover() turns NOSCRIPT into an EVAL and rethrows anything else', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  const incr = scripts.bindRaw<number>(client, 'incr-by')
  await redis.admin('SCRIPT', 'FLUSH')
  const err = await incr.call('r', 2).then(() => null, (e: unknown) => e)
  t.match(err, { message: /^NOSCRIPT/ }, 'no hidden fallback: the caller sees NOSCRIPT')
  t.equal(await incr.recover(err, 'r', 2), 2, 'recover runs the script by EVAL (which caches it)')
  t.equal(await incr.call('r', 3), 5, 'then EVALSHA finds it')
  const other = new Error('boom')
  await t.rejects(incr.recover(other, 'r', 1), other, 'any other error is passed through')
  t.equal(await client.get('r'), '5')
})

test('a <name>-n.lua script takes its key count per call: run() from keys, bind()/bindRaw() as the first argument', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  t.strictSame(await scripts.run(client, 'incr-each', ['x', 'y', 'x'], [2]), [2, 2, 4])
  t.strictSame(await scripts.run(client, 'incr-each', [], [2]), [], 'zero keys is a valid count')
  t.strictSame(await scripts.bind(client, 'incr-each')(2, 'x', 'z', 1), [5, 1])
  const raw = scripts.bindRaw<number[]>(client, 'incr-each')
  await redis.admin('SCRIPT', 'FLUSH')
  const err = await raw.call(1, 'y', 3).then(() => null, (e: unknown) => e)
  t.match(err, { message: /^NOSCRIPT/ })
  t.strictSame(await raw.recover(err, 1, 'y', 3), [5], 'recover passes the key count through to EVAL')
  t.strictSame(await raw.call(3, 'x', 'y', 'z', 1), [6, 6, 2])
})

// Regression: with ioredis defineCommand every defined script was copied onto every pipeline
// (each auto-pipelined tick), a per-request cost that grew with each pattern on the client.
test('running scripts defines nothing on the client, so pipelines stay cheap', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ enableAutoPipelining: true })
  await Promise.all(Array.from({ length: 10 }, (_, i) => scripts.run(client, 'incr-by', ['p'], [i])))
  t.strictSame(Object.keys((client as unknown as { scriptsSet: object }).scriptsSet), [])
  t.equal(await client.get('p'), '45')
})

test('scripts run on a 3-master Redis Cluster', async t => {
  const cluster = await startCluster(t)
  const client = cluster.client()
  for (let i = 0; i < 20; i++) {
    t.equal(await scripts.run(client, 'incr-by', [`key:${i}`], [i + 1]), i + 1)
  }
})

test('bindRaw direct: the call skips ioredis auto-pipelining (sent at once) and keeps its key prefix and NOSCRIPT recovery', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ enableAutoPipelining: true, keyPrefix: 'kp:' })
  const piped = scripts.bindRaw<number>(client, 'incr-by')
  const direct = scripts.bindRaw<number>(client, 'incr-by', { direct: true })
  await t.rejects(direct.call('n', 1), /NOSCRIPT/, 'a fresh server has no cached scripts')
  t.equal(await direct.recover(new Error('NOSCRIPT No matching script'), 'n', 1), 1, 'recover sends the source by EVAL, directly too')
  const viaPipeline = piped.call('n', 1)
  t.equal(client.autoPipelineQueueSize, 1, 'the plain call waits in the auto-pipeline for the next turn')
  const viaDirect = direct.call('n', 1)
  t.equal(client.autoPipelineQueueSize, 1, 'the direct call is not queued there')
  t.strictSame((await Promise.all([viaPipeline, viaDirect])).sort(), [2, 3])
  t.equal(await redis.admin('GET', 'kp:n'), '3', 'both honour the client keyPrefix')
  t.equal(await redis.admin('EXISTS', 'n'), 0)

  const cluster = await startCluster(t)
  const cc = cluster.client({ enableAutoPipelining: true })
  const onCluster = scripts.bindRaw<number>(cc, 'incr-by', { direct: true })
  const first = await onCluster.call('{x}n', 1).catch(async (err: unknown) => await onCluster.recover(err, '{x}n', 1))
  t.equal(first, 1, 'a Cluster client ignores direct (its commands need slot routing)')
})

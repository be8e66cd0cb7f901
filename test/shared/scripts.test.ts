import { test } from 'tap'
import { loadScripts } from '../../lib/shared/scripts.js'
import { startRedis, startCluster } from '../helpers/redis.js'

const scripts = loadScripts<'incr-by' | 'echo-args'>('fixture', new URL('../fixtures/scripts/', import.meta.url))

test('loads <name>-<keys>.lua files and runs them on a standalone server', async t => {
  t.same([...scripts.names].sort(), ['echo-args', 'incr-by'])
  t.equal(scripts.command('incr-by'), 'frpFixtureIncrBy')
  const redis = await startRedis(t)
  const client = redis.client()
  t.equal(await scripts.run(client, 'incr-by', ['n'], [5]), 5)
  t.same(await scripts.run(client, 'echo-args', [], ['a', 1]), ['a', '1'])
  await t.rejects(scripts.run(client, 'incr-by', [], [1]), /takes 1 keys/)
  t.throws(() => scripts.command('nope' as never), /unknown fixture script/)
})

test('scripts still run after a Redis restart empties the script cache', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ maxRetriesPerRequest: 20 })
  t.equal(await scripts.run(client, 'incr-by', ['n'], [1]), 1)
  await redis.restart()
  t.same(await redis.admin('SCRIPT', 'EXISTS', '0000000000000000000000000000000000000000'), [0])
  t.equal(await scripts.run(client, 'incr-by', ['n'], [2]), 2, 'no persistence: the counter restarted, the script ran')
})

test('install adds one method per script, and pipelines stay free of script copies', async t => {
  const redis = await startRedis(t)
  const client = redis.client({ enableAutoPipelining: true })
  scripts.install(client)
  const incr = (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[scripts.command('incr-by')]
  t.same(await Promise.all([incr('k', 3), incr('k', 4)]), [3, 7], 'auto-pipelined script calls')
  // Regression: defineCommand'd scripts were copied onto every (auto-)pipeline ioredis built.
  t.same(Object.keys((client as unknown as { scriptsSet: object }).scriptsSet), [])
  t.notOk(scripts.command('incr-by') in (client.pipeline() as object))
})

test('scripts run on a 3-master Redis Cluster', async t => {
  const cluster = await startCluster(t)
  const client = cluster.client()
  for (let i = 0; i < 20; i++) {
    t.equal(await scripts.run(client, 'incr-by', [`key:${i}`], [i + 1]), i + 1)
  }
})

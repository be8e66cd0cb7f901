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

test('scripts can be used inside a pipeline by command name', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  scripts.install(client)
  const p = client.pipeline() as unknown as Record<string, (...a: unknown[]) => unknown> & { exec: () => Promise<Array<[Error | null, unknown]>> }
  p[scripts.command('incr-by')]('k', 3)
  p[scripts.command('incr-by')]('k', 4)
  const res = await p.exec()
  t.same(res.map(r => r[1]), [3, 7])
})

test('scripts run on a 3-master Redis Cluster', async t => {
  const cluster = await startCluster(t)
  const client = cluster.client()
  for (let i = 0; i < 20; i++) {
    t.equal(await scripts.run(client, 'incr-by', [`key:${i}`], [i + 1]), i + 1)
  }
})
